//! What the merchant's owners, admins and finance members are told about a chargeback, in
//! plain text: that it was recorded (how much, for which order, why, and the last day for
//! evidence) and how it was decided, with a link to the chargeback's dashboard page.

use domain::{MerchantId, Money};
use secrecy::SecretString;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::transition::Decision;
use crate::config::Settings;
use crate::field_crypto::KeyRing;
use crate::mail::{self, OutgoingMail};

pub(super) enum Notice<'a> {
    Recorded {
        order_id: &'a str,
        amount: Money,
        reason_code: &'a str,
        due: Date,
        chargeback_id: Uuid,
    },
    Decided {
        order_id: &'a str,
        amount: Money,
        decision: Decision,
        chargeback_id: Uuid,
    },
}

impl Notice<'_> {
    fn subject(&self) -> String {
        match self {
            Notice::Recorded { order_id, due, .. } => {
                format!("Chargeback on order {order_id}: send evidence by {due}")
            }
            Notice::Decided {
                order_id,
                decision: Decision::Won,
                ..
            } => format!("Chargeback on order {order_id} won"),
            Notice::Decided {
                order_id,
                decision: Decision::Lost,
                ..
            } => format!("Chargeback on order {order_id} lost"),
        }
    }

    fn body(&self, settings: &Settings, name: &str, business: &str) -> String {
        let page = |id: &Uuid| format!("{}/dashboard/chargebacks/{id}", settings.public_origin());
        let what = match self {
            Notice::Recorded {
                order_id,
                amount,
                reason_code,
                due,
                chargeback_id,
            } => format!(
                "The card holder's bank has disputed order {order_id} of {business} (reason code {reason_code}), and \
                 the acquirer has taken back {amount}. We have deducted it from your Saleonix balance.\n\n\
                 You can contest it: add your evidence (proof of delivery, messages with the buyer, your terms) by \
                 {due}. The payment's 3-D Secure result and receipt are already on file.\n\n{link}\n\n\
                 If the chargeback is decided in your favour, the amount comes back to your available balance.",
                link = page(chargeback_id),
            ),
            Notice::Decided {
                order_id,
                amount,
                decision,
                chargeback_id,
            } => {
                let outcome = match decision {
                    Decision::Won => format!(
                        "was decided in your favour: {amount} is back in your available balance."
                    ),
                    Decision::Lost => format!(
                        "was decided for the card holder: the {amount} deducted stays with them."
                    ),
                };
                format!(
                    "The chargeback on order {order_id} of {business} {outcome}\n\n{}",
                    page(chargeback_id)
                )
            }
        };
        format!("Hello {name},\n\n{what}\n\n- Saleonix\n")
    }
}

/// Queues `notice` to every active owner, admin and finance member of the merchant, in
/// the caller's transaction, so the mail goes out exactly when the change is kept.
pub(super) async fn notify(
    conn: &mut PgConnection,
    keys: &KeyRing,
    settings: &Settings,
    merchant_id: MerchantId,
    notice: &Notice<'_>,
) -> Result<usize, sqlx::Error> {
    let recipients: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.email, u.full_name, m.business_name
         FROM merchant_members mm
         JOIN users u ON u.id = mm.user_id
         JOIN merchants m ON m.id = mm.merchant_id
         WHERE mm.merchant_id = $1 AND mm.role IN ('owner', 'admin', 'finance') AND u.disabled_at IS NULL
         ORDER BY u.email",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    for (email, name, business) in &recipients {
        let mail = OutgoingMail {
            to: email.clone(),
            subject: notice.subject(),
            body: SecretString::from(notice.body(settings, name, business)),
        };
        mail::enqueue(&mut *conn, keys, &mail).await?;
    }
    Ok(recipients.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_mail_names_the_order_the_amount_and_the_deadline() {
        let notice = Notice::Recorded {
            order_id: "SX1234",
            amount: Money::eur(1050),
            reason_code: "10.4",
            due: time::macros::date!(2026 - 12 - 14),
            chargeback_id: Uuid::nil(),
        };
        assert!(notice.subject().contains("by 2026-12-14"));
        let body = notice.body(&Settings::default(), "Drita", "Dardania Crafts");
        assert!(
            body.contains("order SX1234")
                && body.contains("10.50 EUR")
                && body.contains("reason code 10.4")
        );
        assert!(body.contains("by 2026-12-14"));
        assert!(body.contains("/dashboard/chargebacks/00000000-0000-0000-0000-000000000000"));
    }
}
