//! Chargebacks: the dashboard's list and detail, where owners, admins and finance members
//! answer with evidence until the deadline (files go up and down through plain routes,
//! `server::chargeback_files`); and the console's, in the Payments module, where staff
//! record what the acquirer reported and mark the outcome. Recording debits the merchant
//! and deciding may credit it back, so both need `payments` `act` and a fresh step-up.

use domain::{ChargebackStatus, Mode, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One chargeback in a list, and at the top of its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackRowView {
    pub id: String,
    pub order_id: String,
    pub merchant_name: String,
    pub mode: Mode,
    pub amount: Money,
    pub reason_code: String,
    pub reported_on: String,
    pub evidence_due_on: String,
    pub status: ChargebackStatus,
    pub recorded: String,
    pub decided: Option<String>,
    pub open_for_evidence: bool,
}

/// A statement (its text) or a file (downloaded through `file_url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: String,
    pub text: Option<String>,
    pub content_type: String,
    pub size_bytes: i32,
    pub file_url: Option<String>,
    pub added: String,
}

/// The receipt the buyer was sent, as evidence of the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub paid: String,
    pub amount: Money,
    pub card: String,
    pub auth_code: Option<String>,
    pub buyer_email: Option<String>,
    pub items: Vec<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackDetailView {
    pub chargeback: ChargebackRowView,
    pub payment_id: String,
    /// The 3-D Secure result in words, or none when the gateway reported none.
    pub three_d_secure: Option<String>,
    pub receipt: Option<ReceiptView>,
    /// What the payment had refunded, in the chargeback's currency.
    pub refunded: Money,
    pub evidence: Vec<EvidenceView>,
    /// The viewer may add evidence now (their role, the deadline, the status).
    pub can_add_evidence: bool,
    /// The viewer may mark it won or lost (staff with payments `act`, undecided).
    pub can_decide: bool,
}

/// The console's recording form: a fresh request id, so sending it twice records once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFormView {
    pub request_id: String,
    pub can_record: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::Platform;
    use platform::chargebacks::ChargebackError;
    use platform::chargebacks::reading::{Chargeback, Detail};
    use time::macros::format_description;

    use super::{ChargebackDetailView, ChargebackRowView, EvidenceView, ReceiptView};
    use crate::error::AppError;
    use crate::payments::ssr::{three_d_secure_words, when};

    impl From<ChargebackError> for AppError {
        fn from(error: ChargebackError) -> Self {
            match error {
                ChargebackError::Invalid { field, message } => {
                    AppError::validation(field, &message)
                }
                ChargebackError::Exceeds { remaining } => AppError::validation(
                    "amount",
                    &format!("At most {remaining} of this payment can still be charged back."),
                ),
                ChargebackError::NotFound => AppError::NotFound,
                ChargebackError::Forbidden(refused) => {
                    tracing::warn!(%refused, "a chargeback step with the wrong staff scope");
                    AppError::Forbidden
                }
                // Database, ledger and audit failures: their text names a query, an
                // account or a constraint, never evidence (encrypted before any query).
                other => crate::error::internal(other),
            }
        }
    }

    pub fn day(date: time::Date) -> String {
        date.format(format_description!("[year]-[month]-[day]"))
            .unwrap_or_default()
    }

    pub fn row(c: Chargeback) -> ChargebackRowView {
        ChargebackRowView {
            id: c.id.to_string(),
            order_id: c.order_id,
            merchant_name: c.merchant_name,
            mode: c.mode,
            amount: c.amount,
            reason_code: c.reason_code,
            reported_on: day(c.reported_on),
            evidence_due_on: day(c.evidence_due_on),
            status: c.status,
            recorded: when(c.recorded_at),
            decided: c.decided_at.map(when),
            open_for_evidence: c.open_for_evidence,
        }
    }

    /// The detail as a member (`file_base` `/api/chargebacks/evidence/`) or staff
    /// (`/api/admin/chargebacks/evidence/`) sees it.
    pub fn detail(
        platform: &Platform,
        detail: Detail,
        file_base: &str,
        may_add: bool,
        may_decide: bool,
    ) -> ChargebackDetailView {
        let Detail {
            chargeback,
            three_d_secure,
            receipt,
            refunded,
            evidence,
        } = detail;
        let open = chargeback.open_for_evidence;
        let decided = chargeback.status.is_decided();
        let receipt = receipt.map(|r| ReceiptView {
            paid: when(r.paid_at),
            amount: r.amount,
            card: r.described_card().unwrap_or_else(|| "Card".into()),
            items: r
                .items
                .iter()
                .map(|i| format!("{} × {}", i.quantity, i.name))
                .collect(),
            url: format!(
                "{}/pay/receipt/{}",
                platform.config.settings.public_origin(),
                r.order_id
            ),
            auth_code: r.auth_code,
            buyer_email: r.buyer_email,
        });
        ChargebackDetailView {
            payment_id: chargeback.payment_id.to_string(),
            three_d_secure: three_d_secure_words(&three_d_secure),
            receipt,
            refunded,
            evidence: evidence
                .into_iter()
                .map(|e| EvidenceView {
                    id: e.id.to_string(),
                    file_url: e.text.is_none().then(|| format!("{file_base}{}", e.id)),
                    text: e.text,
                    content_type: e.content_type,
                    size_bytes: e.size_bytes,
                    added: when(e.added_at),
                })
                .collect(),
            chargeback: row(chargeback),
            can_add_evidence: may_add && open,
            can_decide: may_decide && !decided,
        }
    }
}

/// The merchant's chargebacks in the dashboard's mode, newest first.
#[server(endpoint = "chargebacks/list")]
pub async fn chargebacks() -> Result<Vec<ChargebackRowView>, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<Chargebacks>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Read).await?;
        let rows =
            platform::chargebacks::reading::list(&platform.pool, Some((scope.merchant_id(), mode)))
                .await
                .map_err(internal)?;
        Ok(rows.into_iter().map(ssr::row).collect())
    }
    .await
    .map_err(AppError::respond)
}

/// One of the merchant's chargebacks with the evidence on file; another merchant's is not
/// found.
#[server(endpoint = "chargebacks/detail")]
pub async fn chargeback_detail(id: String) -> Result<ChargebackDetailView, AppError> {
    use crate::policy::DISPUTE_RESPONDERS;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ChargebackDetail>()
            .await?
            .merchant()?;
        let id = crate::payments::ssr::id(&id)?;
        let detail =
            platform::chargebacks::reading::detail(&platform, Some(scope.merchant_id()), id)
                .await?;
        let may_add = scope.has_role(DISPUTE_RESPONDERS);
        Ok(ssr::detail(
            &platform,
            detail,
            "/api/chargebacks/evidence/",
            may_add,
            false,
        ))
    }
    .await
    .map_err(AppError::respond)
}

/// Adds a written statement to one of the merchant's chargebacks, until its deadline.
#[server(endpoint = "chargebacks/statement")]
pub async fn add_chargeback_evidence(id: String, text: String) -> Result<(), AppError> {
    use platform::chargebacks::evidence::{self, Submission};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<AddChargebackEvidence>()
            .await?
            .merchant()?;
        let id = crate::payments::ssr::id(&id)?;
        let facts = crate::request::facts().await;
        evidence::add(
            &platform,
            user.id(),
            scope.merchant_id(),
            id,
            Submission::Text(&text),
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Every merchant's chargebacks, newest first, for staff with payments `view`.
#[server(endpoint = "admin/chargebacks/list")]
pub async fn staff_chargebacks() -> Result<Vec<ChargebackRowView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<StaffChargebacks>().await?;
        let rows = platform::chargebacks::reading::list(&platform.pool, None)
            .await
            .map_err(crate::error::internal)?;
        Ok(rows.into_iter().map(ssr::row).collect())
    }
    .await
    .map_err(AppError::respond)
}

/// Any merchant's chargeback with its evidence, for staff with payments `view`.
#[server(endpoint = "admin/chargebacks/detail")]
pub async fn staff_chargeback(id: String) -> Result<ChargebackDetailView, AppError> {
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<StaffChargeback>()
            .await?
            .parts();
        let id = crate::payments::ssr::id(&id)?;
        let detail = platform::chargebacks::reading::detail(&platform, None, id).await?;
        let may_decide = user.permissions().allows(Module::Payments, Level::Act);
        Ok(ssr::detail(
            &platform,
            detail,
            "/api/admin/chargebacks/evidence/",
            false,
            may_decide,
        ))
    }
    .await
    .map_err(AppError::respond)
}

/// A fresh recording form, and whether the viewer may record.
#[server(endpoint = "admin/chargebacks/form")]
pub async fn chargeback_form() -> Result<RecordFormView, AppError> {
    use platform::identity::roles::{Level, Module};
    async {
        let (user, _) = crate::auth::session::require_declared::<ChargebackForm>()
            .await?
            .parts();
        Ok(RecordFormView {
            request_id: uuid::Uuid::new_v4().to_string(),
            can_record: user.permissions().allows(Module::Payments, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Records a chargeback the acquirer reported (payments `act`, fresh step-up): the
/// payment by its order id, the amount in euro, the reason code, the report date and the
/// evidence deadline (`YYYY-MM-DD`). Answers the chargeback's id.
#[server(endpoint = "admin/chargebacks/record")]
pub async fn record_chargeback(
    order_id: String,
    request_id: String,
    amount: String,
    reason_code: String,
    reported_on: String,
    evidence_due_on: String,
) -> Result<String, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::{date, euro_minor};
    use platform::chargebacks::record::{self, NewChargeback};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<RecordChargeback>()
            .await?
            .staff()?;
        // Only a form altered by hand or served before a deploy carries no valid id.
        let request_id = uuid::Uuid::parse_str(request_id.trim()).map_err(|_| {
            AppError::validation(
                "chargeback",
                "This form is out of date. Reload the page and try again.",
            )
        })?;
        let unknown = || AppError::validation("order_id", "No payment has that order id.");
        let payment_id = platform::payments::reading::find_by_order(&platform.pool, &order_id)
            .await
            .map_err(internal)?
            .ok_or_else(unknown)?;
        let required = |field: &'static str, text: &str| {
            date(field, text)?
                .ok_or_else(|| AppError::validation(field, "Enter a date like 2026-11-24."))
        };
        let new = NewChargeback {
            request_id,
            payment_id,
            amount: Money::eur(euro_minor("amount", &amount)?),
            reason_code,
            reported_on: required("reported_on", &reported_on)?,
            evidence_due_on: required("evidence_due_on", &evidence_due_on)?,
        };
        let facts = crate::request::facts().await;
        let id = record::record(&platform, &staff, &new, &facts).await?;
        Ok(id.to_string())
    }
    .await
    .map_err(AppError::respond)
}

/// Marks a chargeback `won` (the money goes back to the merchant) or `lost`: payments
/// `act` and a fresh step-up. Answers the status afterwards.
#[server(endpoint = "admin/chargebacks/decide")]
pub async fn decide_chargeback(id: String, decision: String) -> Result<ChargebackStatus, AppError> {
    use platform::chargebacks::transition::{self, Decision};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<DecideChargeback>()
            .await?
            .staff()?;
        let id = crate::payments::ssr::id(&id)?;
        let decision = Decision::parse(decision.trim()).ok_or_else(|| {
            AppError::validation("decision", "Choose whether the chargeback was won or lost.")
        })?;
        let facts = crate::request::facts().await;
        let status = transition::decide(&platform, &staff, id, decision, &facts).await?;
        Ok(status)
    }
    .await
    .map_err(AppError::respond)
}
