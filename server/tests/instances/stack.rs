//! The platform as production runs it, on this machine: the built `saleonix-server` twice,
//! on two ports and one database, behind nginx with the shipped site (rendered by
//! deploy/nginx/render, which replaces only ports, the certificate and the log
//! directories), and a Payten sandbox whose callbacks reach the platform through nginx.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use payten::GatewayEndpoints;
use payten_sandbox::{Sandbox, SandboxConfig};
use platform::Platform;
use platform::config::{Config, Environment, Settings};
use platform::secrets::Secrets;
use sqlx::PgPool;
use tokio::process::{Child, Command};

use super::support::{database_url, free_port, wait_until_serving};

/// The name the site answers to; clients resolve it to nginx's test port.
pub const DOMAIN: &str = "saleonix.example";

pub struct Stack {
    pub dir: PathBuf,
    /// Kept for as long as the stack: dropping it stops the sandbox.
    _sandbox: Sandbox,
    pub site: Site,
    pub instances: Vec<Instance>,
    /// The platform in this process, on the same database and secrets, for what an
    /// operator's tools do (reconciliation passes, the chain check).
    pub platform: Platform,
    database_url: String,
    gateway: GatewayEndpoints,
    nginx: Option<Child>,
}

/// The site as its visitors reach it: through nginx, by name.
#[derive(Clone)]
pub struct Site {
    pub https_port: u16,
    certificate: reqwest::Certificate,
    /// The sandbox's own address, where buyers type their card and tests set faults.
    pub gateway_base: String,
}

impl Site {
    /// A browser-like client: it resolves the test domain to nginx, trusts the test
    /// certificate, keeps cookies and follows no redirect.
    pub fn client(&self) -> reqwest::Client {
        client_builder(self.https_port, &self.certificate)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{DOMAIN}:{}{path}", self.https_port)
    }
}

/// One server instance: its port and, while it runs, its process.
pub struct Instance {
    pub port: u16,
    process: Option<Child>,
}

fn repository() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

impl Stack {
    pub async fn start(pool: PgPool) -> Stack {
        let dir = std::env::temp_dir().join(format!("saleonix-instances-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let https_port = free_port();
        let certificate = write_certificate(&dir.join("nginx/tls"));

        // The sandbox calls back through nginx, as the gateway reaches the public address.
        let callbacks = client_builder(https_port, &certificate).build().unwrap();
        let config = SandboxConfig {
            callback_backoff: Duration::from_millis(100),
            callback_client: Some(callbacks),
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let gateway = GatewayEndpoints::from_base(&sandbox.base_url());

        let secrets_file = dir.join("secrets.toml");
        // Made here, before either instance starts, so both read the same keys.
        let secrets = Secrets::load(Environment::Development, &secrets_file).unwrap();
        let mut settings = Settings {
            public_url: format!("https://{DOMAIN}:{https_port}"),
            ..Settings::default()
        };
        settings.payten.test_gate_url = gateway.gate_url.clone();
        settings.payten.test_api_url = gateway.api_url.clone();
        let platform = Platform::new(pool.clone(), Arc::new(Config { settings, secrets }));

        let mut stack = Stack {
            instances: vec![
                Instance {
                    port: free_port(),
                    process: None,
                },
                Instance {
                    port: free_port(),
                    process: None,
                },
            ],
            database_url: database_url(&pool).await,
            dir,
            site: Site {
                https_port,
                certificate,
                gateway_base: sandbox.base_url(),
            },
            _sandbox: sandbox,
            platform,
            gateway,
            nginx: None,
        };
        // One after the other: the first seeds the demo data (and its Test Mode gateway
        // account, this sandbox) that the second then finds.
        for i in 0..stack.instances.len() {
            stack.start_instance(i).await;
        }
        stack.start_nginx().await;
        stack
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("nginx/log/saleonix.access.log")).unwrap()
    }

    /// The instances as nginx names them in its log.
    pub fn instance_addresses(&self) -> Vec<String> {
        self.instances
            .iter()
            .map(|i| format!("127.0.0.1:{}", i.port))
            .collect()
    }

    fn instance_log(&self, i: usize) -> PathBuf {
        self.dir.join(format!("instance-{i}.log"))
    }

    /// Starts instance `i` (again) and waits until it is ready.
    pub async fn start_instance(&mut self, i: usize) {
        let port = self.instances[i].port;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.instance_log(i))
            .unwrap();
        let limit = |name: &str| format!("SALEONIX_RATE_LIMITS__{name}__MAX");
        let process = Command::new(env!("CARGO_BIN_EXE_saleonix-server"))
            .arg("serve")
            .current_dir(&self.dir) // no stray saleonix.toml
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("DATABASE_URL", &self.database_url)
            .env("SALEONIX_ENV", "development")
            .env("SALEONIX_LISTEN", format!("127.0.0.1:{port}"))
            .env("SALEONIX_METRICS_LISTEN", "127.0.0.1:0")
            .env("SALEONIX_PUBLIC_URL", self.site.url(""))
            .env("SALEONIX_TRUSTED_PROXIES", r#"["127.0.0.1/32"]"#)
            .env("SALEONIX_TRUST_FORWARDED_PROTO", "true")
            .env("SALEONIX_SITE_ROOT", repository().join("target/site"))
            .env("SALEONIX_SECRETS_FILE", self.dir.join("secrets.toml"))
            .env("SALEONIX_MAIL__MAILBOX_DIR", self.dir.join("mailbox"))
            .env("SALEONIX_PAYTEN__TEST_GATE_URL", &self.gateway.gate_url)
            .env("SALEONIX_PAYTEN__TEST_API_URL", &self.gateway.api_url)
            // Buyers come from addresses of their own, but merchants re-sign in every few
            // seconds and make hundreds of checkouts a minute: the limits per account and
            // per merchant user are for people, not for this load (their own tests prove them).
            .env(limit("SIGN_IN_PER_ACCOUNT"), "100000")
            .env(limit("CHECKOUT_CREATE_PER_USER"), "100000")
            .env(limit("CHECKOUT_CREATE_PER_IP"), "100000")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let log = self.instance_log(i);
        let process = self.instances[i].process.insert(process);
        wait_until_serving(&format!("http://127.0.0.1:{port}"), process, &log).await;
    }

    /// SIGKILL: no shutdown, no answer for the requests it holds, as when a machine dies.
    pub async fn kill_instance(&mut self, i: usize) {
        let mut process = self.instances[i].process.take().unwrap();
        process.start_kill().unwrap();
        process.wait().await.unwrap();
    }

    async fn start_nginx(&mut self) {
        let site = self.dir.join("nginx");
        let [a, b] = [0, 1].map(|i| format!("127.0.0.1:{}", self.instances[i].port));
        let rendered = std::process::Command::new(repository().join("deploy/nginx/render"))
            .arg(&site)
            .arg(self.site.https_port.to_string())
            .arg(free_port().to_string())
            .args([&a, &b])
            .output()
            .expect("deploy/nginx/render (needs Debian's nginx package: ./dev test installs it)");
        assert!(
            rendered.status.success(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let error_log = site.join("log/error.log");
        let nginx = Command::new("nginx")
            .arg("-c")
            .arg(site.join("nginx.conf"))
            .arg("-p")
            .arg(&site)
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .spawn()
            .expect("nginx (Debian's package: ./dev test installs it)");
        self.nginx = Some(nginx);
        let started = Instant::now();
        while reqwest_healthy(&self.site.client(), &self.site.url("/healthz"))
            .await
            .is_none()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nginx did not proxy /healthz:\n{}",
                std::fs::read_to_string(&error_log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn reqwest_healthy(client: &reqwest::Client, url: &str) -> Option<()> {
    let response = client.get(url).send().await.ok()?;
    response.status().is_success().then_some(())
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SIGTERM, not the SIGKILL of kill_on_drop: nginx's master then stops its workers,
        // which would otherwise outlive it holding the port.
        if let Some(nginx) = &self.nginx
            && let Some(pid) = nginx.id()
        {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(300));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn client_builder(https_port: u16, certificate: &reqwest::Certificate) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .resolve(DOMAIN, SocketAddr::from(([127, 0, 0, 1], https_port)))
        .add_root_certificate(certificate.clone())
        .timeout(Duration::from_secs(60))
}

/// A throwaway certificate for the test domain where deploy/nginx/render looks for one
/// (it makes its own only when none is there), trusted by the test's clients.
fn write_certificate(tls: &Path) -> reqwest::Certificate {
    std::fs::create_dir_all(tls).unwrap();
    let certified = rcgen::generate_simple_self_signed(vec![DOMAIN.to_owned()]).unwrap();
    let pem = certified.cert.pem();
    std::fs::write(tls.join("cert.pem"), &pem).unwrap();
    std::fs::write(tls.join("key.pem"), certified.signing_key.serialize_pem()).unwrap();
    reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()
}
