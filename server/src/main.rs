//! `saleonix-server [serve|migrate|audit-verify|sanctions-load <file>]`: loads the
//! configuration, prepares the database (creating it in development and applying
//! migrations), then serves (seeding the demo platform and, when no sanctions list is
//! loaded yet, the sample list `data/sanctions/sample.csv` first in development), stops,
//! verifies the audit chain, or replaces the sanctions list with a CSV file
//! (`name,aliases,date_of_birth,list,reference`; see the README, "Sanctions screening").

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use platform::Platform;
use platform::config::{Config, Environment};
use secrecy::ExposeSecret;

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let file = std::env::args().nth(2);
    let valid = match command.as_str() {
        "serve" | "migrate" | "audit-verify" => file.is_none(),
        "sanctions-load" => file.is_some(),
        _ => false,
    };
    if !valid {
        eprintln!("usage: saleonix-server [serve|migrate|audit-verify|sanctions-load <file>]");
        return ExitCode::from(2);
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("saleonix: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.settings.log_format);
    match run(&command, config).await {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(%error, "stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: &str, config: Config) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut settings = config.settings.clone();
    // `migrate` migrates whatever `migrate_on_start` says; that setting is for `serve`.
    settings.migrate_on_start |= command == "migrate";
    let pool = platform::db::prepare(&settings).await?;
    tracing::info!("database schema is up to date");
    match command {
        "migrate" => return Ok(ExitCode::SUCCESS),
        "audit-verify" => return audit_verify(&pool).await,
        "sanctions-load" => return sanctions_load(&pool).await,
        _ => {}
    }
    let handle = server::metrics::install()?;
    if settings.env == Environment::Development {
        let sandbox = platform::payments::gateways::configured(
            &settings.payten,
            platform::gateway_accounts::Mode::Test,
        );
        print_demo_accounts(
            platform::seed::seed_demo(&pool, &config.secrets.field_keys, sandbox).await?,
        );
        if let Some(list) = platform::kyc::sanctions::list::load_sample_if_none(&pool).await? {
            tracing::info!(
                entries = list.entry_count,
                "no sanctions list was loaded: loaded the shipped sample"
            );
        }
    }
    let config = Arc::new(config);
    let transport = platform::mail::Transport::from_config(&config)?;
    match &transport {
        platform::mail::Transport::Mailbox(dir) => {
            tracing::info!(dir = %dir.display(), "mail goes to the development mailbox, shown at /dev/mailbox")
        }
        platform::mail::Transport::Smtp(_) => tracing::info!("mail goes out over SMTP"),
    }
    let (stop_sender, stop) = server::shutdown::channel();
    // A message being sent when the stop comes is finished first; one cut short by the
    // grace period stays queued, its transaction never committed, and is sent on the next
    // start: mail is sent at least once, never lost.
    let mail = tokio::spawn(platform::mail::run_worker(
        pool.clone(),
        config.clone(),
        transport,
        stop.clone().requested(),
    ));
    let platform = Platform::new(pool, config);
    let metrics = tokio::net::TcpListener::bind(settings.metrics_listen).await?;
    let metrics = tokio::spawn({
        let (platform, stop) = (platform.clone(), stop.clone());
        async move {
            if let Err(error) = server::metrics::serve(metrics, handle, platform, stop).await {
                tracing::error!(%error, "the metrics listener failed");
            }
        }
    });
    let mut workers = server::jobs::spawn_all(&platform, &stop);
    workers.extend([mail, metrics]);
    let app = server::router(platform)?;
    let serving = serve(app, &settings, stop);
    let mut serving = std::pin::pin!(serving);
    tokio::select! {
        // Serving ends by itself only when it fails.
        served = &mut serving => {
            served?;
            return Ok(ExitCode::FAILURE);
        }
        () = server::shutdown::terminate_signal() => stop_sender.stop(),
    }
    let grace = std::time::Duration::from_secs(settings.shutdown_grace_secs);
    let drained = tokio::time::timeout(grace, async {
        let served = serving.await;
        for worker in workers {
            if let Err(error) = worker.await {
                tracing::error!(%error, "a background worker failed while stopping");
            }
        }
        served
    })
    .await;
    match drained {
        Ok(served) => {
            served?;
            tracing::info!("stopped: requests in flight answered, workers idle");
            Ok(ExitCode::SUCCESS)
        }
        Err(_) => {
            tracing::error!(
                grace_secs = settings.shutdown_grace_secs,
                "requests or workers were still busy when the grace period ended; exiting anyway"
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Serves until `stop` is asked for, then stops accepting and waits for the requests in
/// flight (the caller bounds that wait).
async fn serve(
    app: axum::Router,
    settings: &platform::config::Settings,
    stop: server::shutdown::Stop,
) -> Result<(), Box<dyn std::error::Error>> {
    match &settings.tls {
        Some(tls) => {
            server::tls::serve(
                app,
                settings.listen,
                tls,
                settings.public_origin().to_owned(),
                stop,
            )
            .await?
        }
        None => {
            let listener = server::listen::without_delay(
                tokio::net::TcpListener::bind(settings.listen).await?,
            );
            tracing::info!(listen = %settings.listen, public_url = %settings.public_url, "serving");
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stop.requested())
            .await?;
        }
    }
    Ok(())
}

/// Recomputes the audit chain and records the check; a broken chain exits non-zero so that
/// a scheduled run can alert.
async fn audit_verify(pool: &sqlx::PgPool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let report = platform::audit::verify_chain(pool).await?;
    if let Some(id) = report.first_broken {
        println!("audit chain BROKEN at #{id}");
        return Ok(ExitCode::FAILURE);
    }
    match report.head {
        Some(head) => println!(
            "audit chain ok: {} rows, head #{} {}",
            report.rows_checked, head.id, head.hash
        ),
        None => println!("audit chain ok: 0 rows"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces the sanctions list with the CSV file named on the command line; a file with a
/// wrong line changes nothing and exits non-zero, naming the line.
async fn sanctions_load(pool: &sqlx::PgPool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let path = std::env::args().nth(2).unwrap_or_default();
    let csv =
        std::fs::read_to_string(&path).map_err(|error| format!("cannot read {path}: {error}"))?;
    let source = std::path::Path::new(&path)
        .file_name()
        .map_or(path.clone(), |name| name.to_string_lossy().into_owned());
    match platform::kyc::sanctions::load(pool, &source, &csv).await {
        Ok(list) => {
            println!(
                "sanctions list loaded: {} entries from {} at {}",
                list.entry_count, list.source, list.loaded_at
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(platform::kyc::sanctions::list::ListError::Invalid { line, message }) => {
            eprintln!("{path}: line {line}: {message}; the list in force is unchanged");
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error.into()),
    }
}

/// Demo passwords go to the console once, when they are created, and nowhere else.
fn print_demo_accounts(accounts: Option<Vec<platform::seed::DemoAccount>>) {
    match accounts {
        Some(accounts) => {
            println!("\n  Demo platform seeded. These passwords are shown once:\n");
            for account in accounts {
                println!(
                    "    {:<16} {:<30} {}",
                    account.role,
                    account.email,
                    account.password.expose_secret()
                );
            }
            println!();
        }
        None => tracing::info!(
            "demo platform already seeded (its passwords were printed when it was created)"
        ),
    }
}
