//! What the merchant's owners and admins are told when staff decide on their verification,
//! in plain text. Each mail says what happened, why in staff's words where they wrote
//! some, and what to do next, with a link to the dashboard's Verification page.

use domain::MerchantId;
use secrecy::SecretString;
use sqlx::PgConnection;
use time::Date;

use crate::config::Settings;
use crate::field_crypto::KeyRing;
use crate::mail::{self, OutgoingMail};

/// The dashboard page the merchant fixes their application on (slice A's page).
const VERIFICATION_PATH: &str = "/dashboard/verification";

/// One decision's mail, written for each recipient by name.
pub(super) enum Notice<'a> {
    ChangesRequested {
        item: &'a str,
        reason: &'a str,
    },
    Approved,
    Rejected {
        reason: &'a str,
    },
    Reverification {
        item: &'a str,
        reason: &'a str,
        due: Date,
    },
    Restricted {
        due: Option<Date>,
    },
}

impl Notice<'_> {
    fn subject(&self) -> &'static str {
        match self {
            Notice::ChangesRequested { .. } => "Saleonix needs a change to your verification",
            Notice::Approved => "Your business is verified: Live Mode is open",
            Notice::Rejected { .. } => "Your Saleonix verification was not approved",
            Notice::Reverification { .. } => "Please update your Saleonix verification",
            Notice::Restricted { .. } => "Live Mode is closed until your verification is updated",
        }
    }

    fn body(&self, settings: &Settings, name: &str, business: &str) -> String {
        let page = format!("{}{VERIFICATION_PATH}", settings.public_origin());
        let what = match self {
            Notice::ChangesRequested { item, reason } => format!(
                "Our review of the verification of {business} needs a change to \"{item}\":\n\n{reason}\n\n\
                 Please make the change and send the application again:\n\n{page}\n\n\
                 Test Mode stays open meanwhile."
            ),
            Notice::Approved => format!(
                "We have verified {business}. Live Mode is open: payments now charge real cards \
                 once you switch to Live Mode in your dashboard.\n\n{page}"
            ),
            Notice::Rejected { reason } => format!(
                "We could not approve the verification of {business}:\n\n{reason}\n\n\
                 Live Mode is closed; Test Mode stays open. If you think this is a mistake, \
                 reply to this email or write to {}.",
                settings.merchant_of_record.support_email
            ),
            Notice::Reverification { item, reason, due } => format!(
                "Please update \"{item}\" in the verification of {business} by {due}:\n\n{reason}\n\n\
                 Update it here and send the application again:\n\n{page}\n\n\
                 If it is not updated by then, Live Mode closes until we have reviewed it. Test Mode stays open."
            ),
            Notice::Restricted { due } => {
                let by = due.map(|due| format!(" by {due}")).unwrap_or_default();
                format!(
                    "The update of the verification of {business} we asked for{by} has not reached us, so Live Mode \
                     is closed. Test Mode stays open.\n\nUpdate the items marked \"needs changes\" and send the \
                     application again; Live Mode opens again once we have approved it:\n\n{page}"
                )
            }
        };
        format!("Hello {name},\n\n{what}\n\n- Saleonix\n")
    }
}

/// Queues `notice` to every active owner and admin of the merchant, in the caller's
/// transaction, so the mail goes out exactly when the decision is kept.
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
         WHERE mm.merchant_id = $1 AND mm.role IN ('owner', 'admin') AND u.disabled_at IS NULL
         ORDER BY u.email",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    for (email, name, business) in &recipients {
        let mail = OutgoingMail {
            to: email.clone(),
            subject: notice.subject().to_owned(),
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
    fn a_request_for_changes_carries_the_item_the_reason_and_the_way_back() {
        let settings = Settings::default();
        let notice = Notice::ChangesRequested {
            item: "Identity documents",
            reason: "The back side is missing.",
        };
        let body = notice.body(&settings, "Drita", "Dardania Crafts");
        assert!(body.contains("\"Identity documents\""));
        assert!(body.contains("The back side is missing."));
        assert!(body.contains("http://127.0.0.1:3000/dashboard/verification"));
    }

    #[test]
    fn a_restriction_says_why_and_what_to_do() {
        let due = time::macros::date!(2026 - 12 - 01);
        let body = Notice::Restricted { due: Some(due) }.body(
            &Settings::default(),
            "Drita",
            "Dardania Crafts",
        );
        assert!(
            body.contains("by 2026-12-01")
                && body.contains("Live Mode is closed")
                && body.contains("Test Mode stays open")
        );
        assert!(body.contains("send the application again"));
    }
}
