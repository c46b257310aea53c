//! Outgoing mail: a Postgres outbox and the worker that delivers it.
//!
//! Callers [`enqueue`] a message on their own connection, inside the transaction of the
//! action that sends it, so the action and its mail commit together or not at all. A
//! background worker ([`run_worker`]) delivers due messages over SMTP, or in development
//! without an SMTP server to a local mailbox of `.eml` files ([`read_mailbox`]). Failed
//! deliveries are retried with exponential backoff, so a short outage loses no mail.
//!
//! Bodies carry single-use links, so they are stored encrypted (bound to their row) and
//! erased once sent; nothing here logs or records a body, a token or the SMTP password.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::{Config, Environment, MailSettings};
use crate::field_crypto::{FieldSlot, KeyRing};

/// Messages one delivery pass handles at most, so a large backlog cannot starve the
/// sleep between passes of a busy instance for long.
const BATCH: usize = 50;
/// A row stays locked while its message is sent; this bounds how long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
const FIRST_RETRY: Duration = Duration::from_secs(30);
const LONGEST_RETRY: Duration = Duration::from_secs(3600);

/// A plain-text message to send.
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The reason never repeats the URL: it holds the SMTP password.
    #[error("SALEONIX_SMTP_URL is invalid: {0}")]
    SmtpUrl(String),
    #[error("SALEONIX_MAIL__FROM is not a mail address")]
    From,
    #[error("production sends mail over SMTP only; set SALEONIX_SMTP_URL")]
    NoSmtp,
    #[error("the stored body does not decrypt")]
    Undecryptable,
    #[error("the message cannot be sent: {0}")]
    InvalidMessage(&'static str),
    /// Built by `smtp_failure`, which leaves out whatever the server said in words.
    #[error("{0}")]
    Smtp(String),
    #[error("cannot write to the mailbox: {0}")]
    Mailbox(#[from] std::io::Error),
}

/// Where the worker delivers.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The development mailbox: one `.eml` file per message in this folder.
    Mailbox(PathBuf),
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The SMTP transport holds the credentials.
            Transport::Smtp(_) => f.write_str("Smtp([REDACTED])"),
            Transport::Mailbox(dir) => f.debug_tuple("Mailbox").field(dir).finish(),
        }
    }
}

/// The development mailbox's folder when the mailbox is in use: in development, without
/// an SMTP URL. Never in production.
pub fn dev_mailbox(config: &Config) -> Option<&Path> {
    (config.settings.env == Environment::Development && config.secrets.smtp_url.is_none())
        .then_some(config.settings.mail.mailbox_dir.as_path())
}

impl Transport {
    /// SMTP when a URL is configured, else the development mailbox. Also checks the
    /// sender address, so a typo stops the server at start rather than every delivery.
    pub fn from_config(config: &Config) -> Result<Self, MailError> {
        sender(&config.settings.mail)?;
        match (&config.secrets.smtp_url, dev_mailbox(config)) {
            (Some(url), _) => Self::smtp(url),
            (None, Some(dir)) => Ok(Transport::Mailbox(dir.to_path_buf())),
            (None, None) => Err(MailError::NoSmtp),
        }
    }

    /// From an `smtp://` or `smtps://` URL as lettre reads it: `smtps://user:pass@host`
    /// (TLS from the start, port 465), `smtp://user:pass@host?tls=required` (STARTTLS,
    /// port 587) or `smtp://host:port` (no TLS, for a relay on the same host).
    pub fn smtp(url: &SecretString) -> Result<Self, MailError> {
        let text = url.expose_secret();
        let parsed = url::Url::parse(text).map_err(|_| MailError::SmtpUrl("not a URL".into()))?;
        let tls = parsed
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        // Opportunistic STARTTLS falls back to plain text when an attacker strips it.
        let encrypted = parsed.scheme() == "smtps" || tls.as_deref() == Some("required");
        if parsed.password().is_some() && !encrypted {
            return Err(MailError::SmtpUrl(
                "a password must not travel unencrypted: use smtps:// or ?tls=required".into(),
            ));
        }
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(text)
            .map_err(|error| MailError::SmtpUrl(error.to_string()))?;
        Ok(Transport::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build()))
    }
}

fn sender(settings: &MailSettings) -> Result<Mailbox, MailError> {
    settings.from.parse().map_err(|_| MailError::From)
}

fn body_slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "mail_outbox",
        column: "body",
        row,
    }
}

/// Queues a message on `conn`; it is sent once the caller's transaction commits.
pub async fn enqueue(
    conn: &mut PgConnection,
    keys: &KeyRing,
    mail: &OutgoingMail,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let body = keys.encrypt(
        body_slot(&id.to_string()),
        mail.body.expose_secret().as_bytes(),
    );
    sqlx::query("INSERT INTO mail_outbox (id, to_address, subject, body) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(body)
        .execute(conn)
        .await?;
    Ok(id)
}

/// The wait before attempt `failed + 1`: 30 s, 1 min, 2 min, ... at most an hour.
fn retry_delay(failed: u32) -> Duration {
    FIRST_RETRY
        .saturating_mul(1u32 << failed.saturating_sub(1).min(16))
        .min(LONGEST_RETRY)
}

/// Sends the messages that are due and returns how many were sent.
///
/// Each message is claimed with `FOR UPDATE SKIP LOCKED` in a transaction of its own
/// that stays open while it is sent: another instance skips the locked row instead of
/// sending it too, and a crash after sending repeats at most that one message. A failed
/// attempt, decryption included, is recorded and retried later, and after
/// `max_attempts` the message is marked failed. Errors of the database are returned.
pub async fn deliver_due(
    pool: &PgPool,
    keys: &KeyRing,
    transport: &Transport,
    settings: &MailSettings,
) -> Result<usize, MailError> {
    let from = sender(settings)?;
    let mut sent = 0;
    for _ in 0..BATCH {
        let mut tx = pool.begin().await?;
        let Some((id, to, subject, body, attempts)) =
            sqlx::query_as::<_, (Uuid, String, String, Vec<u8>, i32)>(
                "SELECT id, to_address, subject, body, attempts FROM mail_outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
             ORDER BY next_attempt_at
             LIMIT 1
             FOR UPDATE SKIP LOCKED",
            )
            .fetch_optional(&mut *tx)
            .await?
        else {
            break;
        };
        let attempt = attempts.saturating_add(1);
        let outcome = send(transport, &from, id, &to, &subject, &body, keys).await;
        // clock_timestamp(), not now(): the send may have taken a while since BEGIN.
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE mail_outbox SET sent_at = clock_timestamp(), body = NULL, attempts = $2, last_error = NULL
                     WHERE id = $1",
                )
                .bind(id)
                .bind(attempt)
                .execute(&mut *tx)
                .await?;
                tracing::info!(message_id = %id, attempt, "mail sent");
                sent += 1;
            }
            Err(error) if attempt as u32 >= settings.max_attempts => {
                sqlx::query(
                    "UPDATE mail_outbox SET failed_at = clock_timestamp(), attempts = $2, last_error = $3
                     WHERE id = $1",
                )
                .bind(id)
                .bind(attempt)
                .bind(error.to_string())
                .execute(&mut *tx)
                .await?;
                tracing::error!(message_id = %id, attempt, %error, "mail delivery failed; giving up");
            }
            Err(error) => {
                let delay = retry_delay(attempt as u32);
                sqlx::query(
                    "UPDATE mail_outbox
                     SET attempts = $2, last_error = $3, next_attempt_at = clock_timestamp() + make_interval(secs => $4)
                     WHERE id = $1",
                )
                .bind(id)
                .bind(attempt)
                .bind(error.to_string())
                .bind(delay.as_secs_f64())
                .execute(&mut *tx)
                .await?;
                let retry_in_s = delay.as_secs();
                tracing::warn!(message_id = %id, attempt, %error, retry_in_s, "mail delivery failed; will retry");
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Delivers due mail every `poll_interval_ms` until the task is aborted or dropped. A
/// failed pass is logged and the next one tries again.
pub async fn run_worker(pool: PgPool, config: Arc<Config>, transport: Transport) {
    let settings = &config.settings.mail;
    let interval = Duration::from_millis(settings.poll_interval_ms);
    loop {
        if let Err(error) =
            deliver_due(&pool, &config.secrets.field_keys, &transport, settings).await
        {
            tracing::error!(%error, "mail delivery pass failed");
        }
        tokio::time::sleep(interval).await;
    }
}

async fn send(
    transport: &Transport,
    from: &Mailbox,
    id: Uuid,
    to: &str,
    subject: &str,
    stored_body: &[u8],
    keys: &KeyRing,
) -> Result<(), MailError> {
    let body = keys
        .decrypt(body_slot(&id.to_string()), stored_body)
        .map_err(|_| MailError::Undecryptable)?;
    let body = String::from_utf8(body.expose_secret().clone())
        .map_err(|_| MailError::InvalidMessage("the body is not UTF-8"))?;
    let to: Mailbox = to
        .parse()
        .map_err(|_| MailError::InvalidMessage("the recipient is not a mail address"))?;
    if subject.chars().any(char::is_control) {
        return Err(MailError::InvalidMessage(
            "the subject contains control characters",
        ));
    }
    match transport {
        Transport::Smtp(smtp) => {
            let message = Message::builder()
                .from(from.clone())
                .to(to)
                .subject(subject)
                // Derived from the outbox id: a message repeated after a crash can be
                // recognised as the same one by the receiving side.
                .message_id(Some(message_id(id, from)))
                .header(ContentType::TEXT_PLAIN)
                .body(body)
                .map_err(|_| MailError::InvalidMessage("lettre refused to build it"))?;
            smtp.send(message)
                .await
                .map(drop)
                .map_err(|error| smtp_failure(&error))
        }
        Transport::Mailbox(dir) => write_to_mailbox(dir, id, from, &to, subject, &body).await,
    }
}

fn message_id(id: Uuid, from: &Mailbox) -> String {
    format!("<{id}@{}>", from.email.domain())
}

/// What is recorded and logged of a failed SMTP attempt: the kind of failure and the
/// reply code, but not the server's own words, which may quote the message.
fn smtp_failure(error: &lettre::transport::smtp::Error) -> MailError {
    MailError::Smtp(match error.status() {
        Some(code) if error.is_permanent() => format!("SMTP permanent failure, reply {code}"),
        Some(code) => format!("SMTP transient failure, reply {code}"),
        None if error.is_timeout() => "SMTP timeout".into(),
        None if error.is_response() => "SMTP reply not understood".into(),
        // Network, connection and TLS errors: their text comes from the OS or rustls.
        None => format!("SMTP {error}"),
    })
}

/// The development mailbox's file for one message: RFC 5322 headers in UTF-8 (RFC 6532)
/// and a plain 8-bit body, so any mail client opens it and [`read_mailbox`] needs no
/// MIME decoding. Written under a temporary name, then renamed, so a reader never sees
/// half a message; readable by its owner only, since it holds live links.
async fn write_to_mailbox(
    dir: &Path,
    id: Uuid,
    from: &Mailbox,
    to: &Mailbox,
    subject: &str,
    body: &str,
) -> Result<(), MailError> {
    use tokio::io::AsyncWriteExt as _;

    let (from_text, to_text) = (from.to_string(), to.to_string());
    if from_text
        .chars()
        .chain(to_text.chars())
        .any(char::is_control)
    {
        return Err(MailError::InvalidMessage(
            "an address contains control characters",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let date = now
        .format(&time::format_description::well_known::Rfc2822)
        .map_err(std::io::Error::other)?;
    let stamp = now
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second].[subsecond digits:9]Z"
        ))
        .map_err(std::io::Error::other)?;
    let mut text = format!(
        "Date: {date}\r\nFrom: {from_text}\r\nTo: {to_text}\r\nSubject: {subject}\r\nMessage-ID: {}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        message_id(id, from),
    );
    for line in body.lines() {
        text.push_str(line);
        text.push_str("\r\n");
    }

    tokio::fs::create_dir_all(dir).await?;
    // Names sort by time, so the newest message is the last name.
    let path = dir.join(format!("{stamp}-{id}.eml"));
    let partial = dir.join(format!(".{id}.partial"));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .await?;
    file.write_all(text.as_bytes()).await?;
    file.sync_all().await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(())
}

/// One message of the development mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxMessage {
    pub file_name: String,
    pub date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The newest `limit` messages of the development mailbox, newest first. A folder that
/// does not exist yet is an empty mailbox.
pub fn read_mailbox(dir: &Path, limit: usize) -> std::io::Result<Vec<MailboxMessage>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".eml") && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort_unstable_by(|a, b| b.cmp(a));
    names.truncate(limit);
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name))?;
            Ok(parse_mailbox_file(name, &String::from_utf8_lossy(&bytes)))
        })
        .collect()
}

fn parse_mailbox_file(file_name: String, text: &str) -> MailboxMessage {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let header = |name: &str| {
        head.split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default()
    };
    MailboxMessage {
        date: header("Date"),
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        body: body.replace("\r\n", "\n"),
        file_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretBox;
    use sqlx::postgres::PgPoolOptions;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    use tokio::net::TcpListener;

    use crate::config::Settings;
    use crate::secrets::Secrets;

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
                            serve_smtp(stream, store, is_down.load(Ordering::SeqCst), data_delay)
                                .await;
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

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let delays: Vec<u64> = (1..=9).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(u32::MAX), LONGEST_RETRY);
    }

    #[test]
    fn the_mailbox_is_used_only_in_development_without_smtp() {
        let dir = temp_dir();
        let dev = config(Environment::Development, None, dir.clone());
        assert_eq!(dev_mailbox(&dev), Some(dir.as_path()));
        assert!(matches!(Transport::from_config(&dev).unwrap(), Transport::Mailbox(d) if d == dir));

        let dev_smtp = config(
            Environment::Development,
            Some("smtp://127.0.0.1:2525"),
            dir.clone(),
        );
        assert_eq!(dev_mailbox(&dev_smtp), None);
        assert!(matches!(
            Transport::from_config(&dev_smtp).unwrap(),
            Transport::Smtp(_)
        ));

        let production = config(Environment::Production, None, dir.clone());
        assert_eq!(dev_mailbox(&production), None);
        assert!(matches!(
            Transport::from_config(&production).unwrap_err(),
            MailError::NoSmtp
        ));
        let production = config(
            Environment::Production,
            Some("smtps://u:p@smtp.example.com"),
            dir,
        );
        assert_eq!(dev_mailbox(&production), None);
    }

    #[tokio::test]
    async fn smtp_urls_are_checked_without_repeating_the_password() {
        for good in [
            "smtps://u:hunter2@smtp.example.com",
            "smtp://u:hunter2@smtp.example.com?tls=required",
            "smtp://127.0.0.1:25",
        ] {
            assert!(Transport::smtp(&good.to_owned().into()).is_ok(), "{good}");
        }
        for bad in [
            "smtp://u:hunter2@smtp.example.com",
            "smtp://u:hunter2@smtp.example.com?tls=opportunistic",
            "http://u:hunter2@smtp.example.com",
            "not a url hunter2",
        ] {
            let error = Transport::smtp(&bad.to_owned().into()).unwrap_err();
            assert!(matches!(error, MailError::SmtpUrl(_)), "{bad}: {error}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
        let debug = format!(
            "{:?}",
            Transport::smtp(&"smtps://u:hunter2@smtp.example.com".to_owned().into()).unwrap()
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn a_bad_sender_address_stops_the_start() {
        let mut config = config(Environment::Development, None, temp_dir());
        config.settings.mail.from = "Saleonix".into();
        assert!(matches!(
            Transport::from_config(&config).unwrap_err(),
            MailError::From
        ));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn enqueue_stores_the_body_encrypted_only(pool: PgPool) {
        let keys = keys(7);
        let id = queue(
            &pool,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        let (to, subject, body): (String, String, Vec<u8>) =
            sqlx::query_as("SELECT to_address, subject, body FROM mail_outbox WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            (to.as_str(), subject.as_str()),
            ("luan@example.com", "Confirm your address")
        );
        assert!(
            !body.windows(LINK.len()).any(|w| w == LINK.as_bytes()),
            "the link is not stored in plain text"
        );
        assert!(
            !body.windows(9).any(|w| w == b"Zm9vYmFyL"),
            "nor is the token"
        );
        let plain = keys.decrypt(body_slot(&id.to_string()), &body).unwrap();
        assert!(String::from_utf8_lossy(plain.expose_secret()).contains(LINK));
        let stored_as_text: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM mail_outbox WHERE encode(body, 'escape') LIKE '%verify-email%'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(stored_as_text, 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn mail_queued_in_a_rolled_back_transaction_is_never_sent(pool: PgPool) {
        let keys = keys(7);
        let mut tx = pool.begin().await.unwrap();
        enqueue(
            &mut tx,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        let dir = temp_dir();
        assert_eq!(
            deliver_due(&pool, &keys, &Transport::Mailbox(dir.clone()), &settings(8))
                .await
                .unwrap(),
            0
        );
        assert!(read_mailbox(&dir, 10).unwrap().is_empty());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_mailbox_receives_the_message_and_the_body_is_erased(pool: PgPool) {
        let keys = keys(7);
        let dir = temp_dir();
        let first = queue(
            &pool,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        let second = queue(
            &pool,
            &keys,
            &mail(
                "Arta Krasniqi <arta@example.com>",
                "Mirë se vini në Saleonix",
            ),
        )
        .await;
        let transport = Transport::Mailbox(dir.clone());
        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            2
        );
        for id in [first, second] {
            assert_eq!(
                row(&pool, id).await,
                Row {
                    attempts: 1,
                    has_body: false,
                    sent: true,
                    failed: false,
                    last_error: None
                }
            );
        }

        let messages = read_mailbox(&dir, 10).unwrap();
        assert_eq!(messages.len(), 2);
        let arta = messages
            .iter()
            .find(|m| m.to.contains("arta@example.com"))
            .unwrap();
        assert_eq!(
            arta.subject, "Mirë se vini në Saleonix",
            "UTF-8 headers are kept as they are"
        );
        let luan = messages
            .iter()
            .find(|m| m.to == "luan@example.com")
            .unwrap();
        assert_eq!(luan.subject, "Confirm your address");
        assert_eq!(luan.from, "Saleonix <no-reply@saleonix.test>");
        assert!(
            luan.body
                .contains(&format!("Confirm your address: {LINK}\n")),
            "{}",
            luan.body
        );
        assert!(
            time::OffsetDateTime::parse(&luan.date, &time::format_description::well_known::Rfc2822)
                .is_ok()
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(&luan.file_name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);

        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            0,
            "sent once"
        );
        assert_eq!(read_mailbox(&dir, 10).unwrap().len(), 2);
    }

    #[test]
    fn the_mailbox_lists_newest_first_and_skips_other_files() {
        let dir = temp_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for (name, subject) in [
            ("20261124T100000.000000000Z-a.eml", "older"),
            ("20261124T110000.000000000Z-b.eml", "newer"),
        ] {
            std::fs::write(
                dir.join(name),
                format!("To: a@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n"),
            )
            .unwrap();
        }
        std::fs::write(dir.join(".c.partial"), "To: x@example.com\r\n\r\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "not mail").unwrap();
        let subjects: Vec<String> = read_mailbox(&dir, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert_eq!(subjects, ["newer", "older"]);
        assert_eq!(read_mailbox(&dir, 1).unwrap()[0].subject, "newer");
        assert!(read_mailbox(&dir.join("missing"), 10).unwrap().is_empty());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn smtp_delivers_the_message(pool: PgPool) {
        let keys = keys(7);
        let smtp = FakeSmtp::start(Duration::ZERO).await;
        let id = queue(
            &pool,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        let transport = Transport::smtp(&smtp.url()).unwrap();
        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            1
        );
        let received = smtp.received();
        assert_eq!(received.len(), 1);
        assert!(
            readable_body(&received[0]).contains(&format!("Confirm your address: {LINK}\n")),
            "{}",
            received[0]
        );
        assert!(received[0].contains("To: luan@example.com"));
        assert!(received[0].contains(&format!("Message-ID: <{id}@saleonix.test>")));
        assert_eq!(
            row(&pool, id).await,
            Row {
                attempts: 1,
                has_body: false,
                sent: true,
                failed: false,
                last_error: None
            }
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_smtp_outage_delays_the_message_and_a_later_pass_delivers_it(pool: PgPool) {
        let keys = keys(7);
        let smtp = FakeSmtp::start(Duration::ZERO).await;
        smtp.down.store(true, Ordering::SeqCst);
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let id = queue(
            &pool,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;

        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            0
        );
        let after_outage = row(&pool, id).await;
        assert_eq!(
            (
                after_outage.attempts,
                after_outage.has_body,
                after_outage.sent,
                after_outage.failed
            ),
            (1, true, false, false)
        );
        let error = after_outage.last_error.unwrap();
        assert!(
            error.contains("421") && !error.contains("service not available"),
            "{error}"
        );
        let wait: f64 = sqlx::query_scalar("SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            (20.0..=31.0).contains(&wait),
            "the first retry is in about 30 s, not {wait}"
        );

        smtp.down.store(false, Ordering::SeqCst);
        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            0,
            "not due yet"
        );
        assert!(smtp.received().is_empty());

        make_due(&pool).await;
        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(8))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            row(&pool, id).await,
            Row {
                attempts: 2,
                has_body: false,
                sent: true,
                failed: false,
                last_error: None
            }
        );
        assert_eq!(smtp.received().len(), 1);
        assert!(readable_body(&smtp.received()[0]).contains(LINK));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn after_max_attempts_the_message_is_failed_and_not_retried(pool: PgPool) {
        let keys = keys(7);
        // Nothing listens on this port: every attempt is refused.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let transport = Transport::smtp(&format!("smtp://127.0.0.1:{port}").into()).unwrap();
        let id = queue(
            &pool,
            &keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        for attempt in 1..=3 {
            assert_eq!(
                deliver_due(&pool, &keys, &transport, &settings(3))
                    .await
                    .unwrap(),
                0
            );
            let now = row(&pool, id).await;
            assert_eq!(
                (now.attempts, now.failed, now.sent),
                (attempt, attempt == 3, false)
            );
            make_due(&pool).await;
        }
        assert!(row(&pool, id).await.last_error.unwrap().starts_with("SMTP"));

        let smtp = FakeSmtp::start(Duration::ZERO).await;
        let working = Transport::smtp(&smtp.url()).unwrap();
        assert_eq!(
            deliver_due(&pool, &keys, &working, &settings(3))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            row(&pool, id).await.attempts,
            3,
            "a failed message is left alone"
        );
        assert!(smtp.received().is_empty());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_undecryptable_or_unaddressable_message_is_a_failed_attempt(pool: PgPool) {
        let dir = temp_dir();
        let transport = Transport::Mailbox(dir.clone());
        let wrong_key = queue(
            &pool,
            &keys(9),
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        let bad_to = queue(
            &pool,
            &keys(7),
            &mail("not an address", "Confirm your address"),
        )
        .await;
        let good = queue(
            &pool,
            &keys(7),
            &mail("arta@example.com", "Confirm your address"),
        )
        .await;
        assert_eq!(
            deliver_due(&pool, &keys(7), &transport, &settings(8))
                .await
                .unwrap(),
            1,
            "the others still go"
        );
        for (id, expected) in [
            (wrong_key, "does not decrypt"),
            (bad_to, "not a mail address"),
        ] {
            let row = row(&pool, id).await;
            assert_eq!(
                (row.attempts, row.has_body, row.sent, row.failed),
                (1, true, false, false)
            );
            assert!(
                row.last_error.as_deref().unwrap().contains(expected),
                "{:?}",
                row.last_error
            );
        }
        assert!(row(&pool, good).await.sent);
        assert_eq!(read_mailbox(&dir, 10).unwrap().len(), 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn two_instances_deliver_each_message_exactly_once(pool: PgPool) {
        let keys = keys(7);
        // Slow enough that the two instances overlap on every message.
        let smtp = FakeSmtp::start(Duration::from_millis(30)).await;
        for n in 0..12 {
            queue(
                &pool,
                &keys,
                &mail("luan@example.com", &format!("message {n}")),
            )
            .await;
        }
        let second = PgPoolOptions::new()
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap();
        let (a, b) = (
            Transport::smtp(&smtp.url()).unwrap(),
            Transport::smtp(&smtp.url()).unwrap(),
        );
        let settings = settings(8);
        let (sent_a, sent_b) = tokio::join!(
            deliver_due(&pool, &keys, &a, &settings),
            deliver_due(&second, &keys, &b, &settings),
        );
        let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
        assert_eq!(sent_a + sent_b, 12);
        assert!(
            sent_a > 0 && sent_b > 0,
            "both instances worked: {sent_a} and {sent_b}"
        );
        let mut subjects: Vec<String> = smtp
            .received()
            .iter()
            .filter_map(|data| {
                data.lines()
                    .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
            })
            .collect();
        subjects.sort();
        let mut expected: Vec<String> = (0..12).map(|n| format!("message {n}")).collect();
        expected.sort();
        assert_eq!(subjects, expected, "each message exactly once");
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(pending, 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_worker_delivers_queued_mail_until_aborted(pool: PgPool) {
        let dir = temp_dir();
        let config = Arc::new(config(Environment::Development, None, dir.clone()));
        let transport = Transport::from_config(&config).unwrap();
        let worker = tokio::spawn(run_worker(pool.clone(), config.clone(), transport));
        queue(
            &pool,
            &config.secrets.field_keys,
            &mail("luan@example.com", "Confirm your address"),
        )
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while read_mailbox(&dir, 10).unwrap().is_empty() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the worker did not deliver"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        worker.abort();
        assert!(worker.await.unwrap_err().is_cancelled());
        queue(
            &pool,
            &config.secrets.field_keys,
            &mail("arta@example.com", "Confirm your address"),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            read_mailbox(&dir, 10).unwrap().len(),
            1,
            "an aborted worker sends nothing more"
        );
    }
}
