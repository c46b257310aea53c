//! Unit tests of outgoing mail: the fixtures they share, such as a test queue and a fake SMTP server.

use super::*;
use secrecy::SecretBox;
use sqlx::postgres::PgPoolOptions;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::secrets::Secrets;

mod mailbox;
mod queue;
mod settings;
mod smtp;

const LINK: &str = "http://127.0.0.1:3000/verify-email?token=Zm9vYmFyLXNpbmdsZS11c2U";

fn keys(byte: u8) -> KeyRing {
    KeyRing::new(1, vec![(1, SecretBox::new(Box::new([byte; 32])))]).unwrap()
}

fn mail(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: subject.into(),
        body: format!("Welcome to Saleonix.\n\nConfirm your address: {LINK}\n").into(),
    }
}

fn settings(max_attempts: u32) -> MailSettings {
    MailSettings {
        max_attempts,
        ..Settings::default().mail
    }
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("saleonix-mailbox-{}", Uuid::new_v4()))
}

fn config(env: Environment, smtp_url: Option<&str>, mailbox_dir: PathBuf) -> Config {
    let mut settings = Settings {
        env,
        ..Settings::default()
    };
    settings.mail.mailbox_dir = mailbox_dir;
    settings.mail.poll_interval_ms = 50;
    let secrets = Secrets {
        field_keys: keys(7),
        session_key: SecretBox::new(Box::new([0; 64])),
        smtp_url: smtp_url.map(SecretString::from),
    };
    Config { settings, secrets }
}

async fn queue(pool: &PgPool, keys: &KeyRing, mail: &OutgoingMail) -> Uuid {
    let mut conn = pool.acquire().await.unwrap();
    enqueue(&mut conn, keys, mail).await.unwrap()
}

#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
struct Row {
    attempts: i32,
    has_body: bool,
    sent: bool,
    failed: bool,
    last_error: Option<String>,
}

async fn row(pool: &PgPool, id: Uuid) -> Row {
    sqlx::query_as(
        "SELECT attempts, body IS NOT NULL AS has_body, sent_at IS NOT NULL AS sent,
                failed_at IS NOT NULL AS failed, last_error
         FROM mail_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Stands in for time passing: makes every pending message due now.
async fn make_due(pool: &PgPool) {
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = now()")
        .execute(pool)
        .await
        .unwrap();
}

/// A real SMTP server, as small as lettre allows: it records each message's data, and
/// while `down` it greets with 421 and hangs up, as a server in maintenance does.
struct FakeSmtp {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
    down: Arc<AtomicBool>,
}

impl FakeSmtp {
    async fn start(data_delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let (store, is_down) = (received.clone(), down.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (store, is_down) = (store.clone(), is_down.clone());
                tokio::spawn(async move {
                    let _ =
                        serve_smtp(stream, store, is_down.load(Ordering::SeqCst), data_delay).await;
                });
            }
        });
        Self {
            port,
            received,
            down,
        }
    }

    fn url(&self) -> SecretString {
        format!("smtp://127.0.0.1:{}", self.port).into()
    }

    fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

/// The body of received message data as a mail client shows it: lettre sends lines
/// of 76 characters or more, like most links, quoted-printable.
fn readable_body(data: &str) -> String {
    let (head, body) = data.split_once("\n\n").expect("headers, then the body");
    if !head.contains("Content-Transfer-Encoding: quoted-printable") {
        return body.to_owned();
    }
    let joined = body.replace("=\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match (
            first,
            tail.get(..2)
                .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()),
        ) {
            (b'=', Some(byte)) => {
                bytes.push(byte);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).unwrap()
}

async fn serve_smtp(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<String>>>,
    down: bool,
    data_delay: Duration,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if down {
        write
            .write_all(b"421 4.3.2 fake.test service not available\r\n")
            .await?;
        return Ok(());
    }
    write.write_all(b"220 fake.test ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-fake.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(&line);
                    data.push('\n');
                }
                tokio::time::sleep(data_delay).await;
                store.lock().unwrap().push(data);
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
