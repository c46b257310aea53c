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
    )?;
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

/// Delivers due mail every `poll_interval_ms` until `stop` resolves (or the task is
/// aborted). A pass under way is finished first, so no message is sent twice for want of a
/// commit. A failed pass is logged and the next one tries again.
pub async fn run_worker(
    pool: PgPool,
    config: Arc<Config>,
    transport: Transport,
    stop: impl Future<Output = ()>,
) {
    let settings = &config.settings.mail;
    let interval = Duration::from_millis(settings.poll_interval_ms);
    let mut stop = std::pin::pin!(stop);
    loop {
        if let Err(error) =
            deliver_due(&pool, &config.secrets.field_keys, &transport, settings).await
        {
            tracing::error!(%error, "mail delivery pass failed");
        }
        tokio::select! {
            biased;
            () = &mut stop => break,
            () = tokio::time::sleep(interval) => {}
        }
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
mod tests;
