//! `payten-sandbox [--listen 127.0.0.1:8600] [--stores FILE]`
//!
//! Stores come from `--stores FILE` (TOML), else the `PAYTEN_SANDBOX_STORES`
//! environment variable (the same TOML), else the built-in development store.

use std::net::SocketAddr;
use std::process::ExitCode;

use payten_sandbox::{Sandbox, SandboxConfig};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: payten-sandbox [--listen 127.0.0.1:8600] [--stores FILE]\n\
    Stores: --stores FILE (TOML), else $PAYTEN_SANDBOX_STORES (TOML), else the built-in development store.";

struct Args {
    listen: SocketAddr,
    stores: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 8600));
    let mut stores = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let v = args.next().ok_or("--listen needs an address")?;
                listen = v
                    .parse()
                    .map_err(|_| format!("--listen: not an address: {v}"))?;
            }
            "--stores" => stores = Some(args.next().ok_or("--stores needs a file")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Args { listen, stores })
}

fn load_config(stores: Option<&str>) -> Result<SandboxConfig, String> {
    let text = match stores {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?),
        None => std::env::var("PAYTEN_SANDBOX_STORES")
            .ok()
            .filter(|v| !v.trim().is_empty()),
    };
    match text {
        Some(t) => SandboxConfig::from_toml(&t).map_err(|e| e.to_string()),
        None => Ok(SandboxConfig::default()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let config = match load_config(args.stores.as_deref()) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("payten-sandbox: {msg}");
            return ExitCode::from(2);
        }
    };
    let client_ids: Vec<&str> = config.stores.iter().map(|s| s.client_id.as_str()).collect();
    tracing::info!(?client_ids, "stores configured");
    let sandbox = match Sandbox::start(config, args.listen).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("payten-sandbox: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(addr = %sandbox.addr(), "Payten sandbox listening (gate /fim/est3Dgate, API /fim/api, admin /sandbox/*)");
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!(error = %e, "cannot wait for Ctrl-C");
    }
    tracing::info!("shutting down");
    ExitCode::SUCCESS
}
