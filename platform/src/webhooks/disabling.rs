//! An endpoint that keeps failing is disabled: after a delivery's last attempt, or after
//! five days in which no attempt succeeded. Its pending deliveries are given up (they
//! show as failed, ready for "resend all failed since") and the merchant's owners and
//! admins are mailed, in the transaction that disables it.

use domain::MerchantId;
use secrecy::SecretString;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::Platform;
use crate::mail::{self, OutgoingMail};

/// Marks the endpoint's pending deliveries failed.
pub(crate) async fn give_up_pending(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE webhook_deliveries SET status = 'failed' WHERE endpoint_id = $1 AND status = 'pending'")
        .bind(endpoint_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Disables the endpoint as failing, gives up its pending deliveries and mails the
/// owners and admins. Returns false when it was already disabled (nothing done).
pub(crate) async fn disable_failing(
    conn: &mut PgConnection,
    platform: &Platform,
    merchant_id: MerchantId,
    endpoint_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let url: Option<String> = sqlx::query_scalar(
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'failing', updated_at = now()
         WHERE id = $1 AND enabled RETURNING url",
    )
    .bind(endpoint_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(url) = url else {
        return Ok(false);
    };
    give_up_pending(conn, endpoint_id).await?;
    notify_owners(conn, platform, merchant_id, &url).await?;
    tracing::warn!(%merchant_id, %endpoint_id, "webhook endpoint disabled after failing deliveries");
    Ok(true)
}

async fn notify_owners(
    conn: &mut PgConnection,
    platform: &Platform,
    merchant_id: MerchantId,
    url: &str,
) -> Result<(), sqlx::Error> {
    let people: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, u.full_name FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.role IN ('owner', 'admin') AND u.disabled_at IS NULL
           AND u.email_verified_at IS NOT NULL
         ORDER BY u.email",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let origin = platform.config.settings.public_origin();
    for (email, name) in people {
        let body = format!(
            "Hello {name},\n\nSaleonix could not deliver events to your webhook endpoint {url} for too long, \
             so we have disabled it and stopped sending to it.\n\n\
             Once it answers again with a 2xx status, sign in at {origin}/dashboard, enable the endpoint \
             under Developers, and resend the events that failed (\"resend all failed since\"). Its delivery \
             log shows what each attempt received.\n\n- Saleonix\n"
        );
        let notice = OutgoingMail {
            to: email,
            subject: "Your webhook endpoint was disabled".to_owned(),
            body: SecretString::from(body),
        };
        mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    }
    Ok(())
}
