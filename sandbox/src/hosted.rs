//! The hosted payment pages: the 3D gate, the card page, the 3-D Secure step,
//! and the signed return to the merchant (protocol note, sections 1 to 3).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use payten::hash::{ver3_hash, verify_ver3};
use payten::{Currency, FrequencyUnit, Money, TranType};
use rand::Rng as _;
use time::OffsetDateTime;

use crate::SandboxState;
use crate::callback::spawn_callback;
use crate::cards::{CardFacts, CardOutcome, THREE_DS_PASSWORD, facts, luhn_valid};
use crate::clock::{gateway_time, lock};
use crate::faults::FaultKind;
use crate::html::{Page, escape, hidden_inputs, nonce};
use crate::ledger::{NewPayment, Schedule, digits, trans_id};

// The 3-D Secure step lives apart from the gate and the card page; the re-export keeps
// `hosted::three_ds` where the router expects it.
mod challenge;

pub use challenge::three_ds;

/// A payment waiting for the buyer is forgotten after this long.
const PENDING_TTL: Duration = Duration::from_secs(30 * 60);
/// Longest order id the sandbox takes (the gateway's real limit is unconfirmed).
const MAX_OID_LEN: usize = 64;

/// A payment between the gate and the return. After the card step it holds
/// only what [`CardFacts`] keeps: masked PAN, brand and outcome.
#[derive(Debug)]
pub struct Pending {
    created: Instant,
    request: GateRequest,
    card: Option<CardFacts>,
}

/// A verified gate request.
#[derive(Debug, Clone)]
struct GateRequest {
    client_id: String,
    oid: String,
    tran_type: TranType,
    amount: Money,
    ok_url: String,
    fail_url: String,
    callback_url: Option<String>,
    schedule: Option<Schedule>,
    /// Everything posted except the hash, echoed back in the return.
    fields: Vec<(String, String)>,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn sandbox_page(title: &str, body: String) -> Page {
    Page {
        lang: "en",
        title: title.into(),
        body,
        nonce: nonce(),
        form_action: "'self'".into(),
    }
}

/// What Payten shows when a gate request cannot be trusted: HTTP 200, an
/// HTML page, and the payment goes nowhere.
fn security_error(reason: &str) -> Response {
    sandbox_page(
        "3-D Secure error",
        format!(
            "<h1>Payment could not be started</h1>\
             <p class=\"err\">mdStatus: 7</p>\
             <p class=\"err\">ErrMsg: Security error: {}</p>\
             <p class=\"note\">Saleonix Payten sandbox</p>",
            escape(reason)
        ),
    )
    .into_response()
}

/// Why the gate refused a request.
enum Refusal {
    /// Unknown client id or a hash that does not verify.
    Security(&'static str),
    Invalid(&'static str),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Security(reason) => security_error(reason),
            Refusal::Invalid(reason) => request_error(reason),
        }
    }
}

fn request_error(reason: &str) -> Response {
    sandbox_page(
        "Payment error",
        format!(
            "<h1>Payment could not be started</h1><p class=\"err\">ErrMsg: {}</p>",
            escape(reason)
        ),
    )
    .into_response()
}

fn http_url(value: Option<&str>) -> Option<String> {
    let url = reqwest::Url::parse(value?).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Checks the request the way the gate does, hash first.
fn verify_gate(
    state: &SandboxState,
    fields: Vec<(String, String)>,
) -> Result<GateRequest, Refusal> {
    let mut seen = HashSet::new();
    if !fields
        .iter()
        .all(|(n, _)| seen.insert(n.to_ascii_uppercase()))
    {
        return Err(Refusal::Invalid("a field was sent more than once"));
    }
    let client_id = field(&fields, "clientid").unwrap_or_default().to_owned();
    let Some(store) = state.config.store(&client_id) else {
        tracing::warn!(client_id, "gate request for an unknown client id");
        return Err(Refusal::Security(
            "unknown client id or store configuration",
        ));
    };
    let hash = field(&fields, "hash")
        .or_else(|| field(&fields, "HASH"))
        .unwrap_or_default();
    if field(&fields, "hashAlgorithm") != Some("ver3")
        || !verify_ver3(&fields, &store.store_key, hash)
    {
        tracing::warn!(client_id, "gate request hash does not verify");
        return Err(Refusal::Security(
            "hash value does not match (check the store key and the hash calculation)",
        ));
    }
    if field(&fields, "storetype") != Some("3d_pay_hosting") {
        return Err(Refusal::Invalid("storetype must be 3d_pay_hosting"));
    }
    let tran_type = match field(&fields, "TranType") {
        Some("Auth") => TranType::Auth,
        Some("PreAuth") => TranType::PreAuth,
        _ => return Err(Refusal::Invalid("TranType must be Auth or PreAuth")),
    };
    let currency = field(&fields, "currency")
        .and_then(Currency::from_numeric)
        .ok_or(Refusal::Invalid("unsupported currency"))?;
    let amount = field(&fields, "amount")
        .and_then(|a| Money::parse_decimal(a, currency).ok())
        .filter(|m| !m.is_zero())
        .ok_or(Refusal::Invalid("invalid amount"))?;
    let oid = field(&fields, "oid").unwrap_or_default().to_owned();
    if oid.is_empty() || oid.len() > MAX_OID_LEN || !oid.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Refusal::Invalid("invalid oid"));
    }
    let ok_url = http_url(field(&fields, "okUrl")).ok_or(Refusal::Invalid("invalid okUrl"))?;
    let fail_url =
        http_url(field(&fields, "failUrl")).ok_or(Refusal::Invalid("invalid failUrl"))?;
    let callback_url = match field(&fields, "callbackUrl") {
        None | Some("") => None,
        Some(u) => Some(http_url(Some(u)).ok_or(Refusal::Invalid("invalid callbackUrl"))?),
    };
    let schedule = match field(&fields, "RecurringPaymentNumber") {
        None | Some("") => None,
        Some(n) => {
            let payments = n.parse::<u16>().ok().filter(|n| (2..=121).contains(n));
            let unit = field(&fields, "RecurringFrequencyUnit").and_then(FrequencyUnit::parse);
            let frequency = field(&fields, "RecurringFrequency")
                .and_then(|f| f.parse::<u16>().ok())
                .filter(|f| *f >= 1);
            match (payments, unit, frequency, tran_type) {
                (Some(payments), Some(unit), Some(frequency), TranType::Auth) => Some(Schedule {
                    payments,
                    unit,
                    frequency,
                }),
                _ => return Err(Refusal::Invalid("invalid recurring parameters")),
            }
        }
    };
    let fields = fields
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("hash"))
        .collect();
    Ok(GateRequest {
        client_id,
        oid,
        tran_type,
        amount,
        ok_url,
        fail_url,
        callback_url,
        schedule,
        fields,
    })
}

/// `POST /fim/est3Dgate`
pub async fn gate(
    State(state): State<Arc<SandboxState>>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let request = match verify_gate(&state, fields) {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let retry = lock(&state.faults).has(FaultKind::RetryDeclined, &request.client_id, &request.oid);
    let used = {
        let ledger = lock(&state.ledger);
        ledger.contains(&request.client_id, &request.oid)
            && !(retry && ledger.declined_only(&request.client_id, &request.oid))
    };
    if used {
        return request_error("order id already used; use a fresh oid per attempt");
    }
    let id = nonce();
    tracing::info!(client_id = request.client_id, oid = request.oid, amount = %request.amount, "payment started");
    let page = card_page(&id, &request, &[], "");
    let mut pending = lock(&state.pending);
    pending.retain(|_, p| p.created.elapsed() < PENDING_TTL);
    pending.insert(
        id,
        Pending {
            created: Instant::now(),
            request,
            card: None,
        },
    );
    page.into_response()
}

/// The card page, its `lang` as the request asked (`sq` or `en`; NestPay falls back to
/// English); its words stay English, as the sandbox is for tests.
fn card_page(id: &str, request: &GateRequest, errors: &[&str], cardholder: &str) -> Page {
    let errors: String = errors
        .iter()
        .map(|e| format!("<p class=\"err\">{}</p>", escape(e)))
        .collect();
    let lang = match field(&request.fields, "lang") {
        Some("sq") => "sq",
        _ => "en",
    };
    let page = sandbox_page(
        "Card payment",
        format!(
            "<h1>Pay {amount}</h1><p class=\"note\">Order {oid} (Saleonix Payten sandbox)</p>{errors}\
             <form method=\"post\" action=\"/fim/hosted/{id}/card\" autocomplete=\"off\">\
             <label>Card number<input name=\"pan\" inputmode=\"numeric\" autocomplete=\"cc-number\"></label>\
             <label>Expiry (MM/YY)<input name=\"expiry\" autocomplete=\"cc-exp\"></label>\
             <label>CVV<input name=\"cvv\" inputmode=\"numeric\" autocomplete=\"cc-csc\"></label>\
             <label>Name on card<input name=\"cardholder\" autocomplete=\"cc-name\" value=\"{name}\"></label>\
             <button type=\"submit\">Pay</button></form>",
            amount = escape(&request.amount.to_string()),
            oid = escape(&request.oid),
            name = escape(cardholder),
        ),
    );
    Page { lang, ..page }
}

fn expired_page() -> Response {
    request_error("this payment session does not exist or has expired")
}

/// Checks the expiry `MM/YY` against the sandbox clock's current month.
fn expiry_ok(expiry: &str, now: OffsetDateTime) -> bool {
    let Some((mm, yy)) = expiry.trim().split_once('/') else {
        return false;
    };
    let (Ok(month), Ok(year)) = (mm.trim().parse::<u8>(), yy.trim().parse::<i32>()) else {
        return false;
    };
    if !(1..=12).contains(&month) || yy.trim().len() != 2 {
        return false;
    }
    (2000 + year, month) >= (now.year(), u8::from(now.month()))
}

/// `POST /fim/hosted/{id}/card`. The card number and CVV live only in this
/// handler's locals; they are never stored, logged or written back to a page.
pub async fn card(
    State(state): State<Arc<SandboxState>>,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let pan: String = field(&form, "pan")
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let expiry = field(&form, "expiry").unwrap_or_default();
    let cvv = field(&form, "cvv").unwrap_or_default();
    let cardholder = field(&form, "cardholder").unwrap_or_default();

    let mut errors = Vec::new();
    if !luhn_valid(&pan) {
        errors.push("The card number is not valid.");
    }
    if !expiry_ok(expiry, state.clock.now()) {
        errors.push("The expiry date is not valid or is in the past.");
    }
    if !(3..=4).contains(&cvv.len()) || !cvv.bytes().all(|b| b.is_ascii_digit()) {
        errors.push("The CVV must be 3 or 4 digits.");
    }
    if cardholder.trim().is_empty() {
        errors.push("The name on the card is required.");
    }

    let mut pending = lock(&state.pending);
    let Some(p) = pending
        .get_mut(&id)
        .filter(|p| p.card.is_none() && p.created.elapsed() < PENDING_TTL)
    else {
        return expired_page();
    };
    if !errors.is_empty() {
        return card_page(&id, &p.request, &errors, cardholder).into_response();
    }
    let card = facts(&pan);
    tracing::info!(oid = p.request.oid, pan = %card.masked_pan, brand = card.brand, "card step passed");
    let page = sandbox_page(
        "3-D Secure",
        format!(
            "<h1>3-D Secure</h1><p>Card {pan}: enter the password sent by your bank.</p>\
             <p class=\"note\">Sandbox password: <code>{THREE_DS_PASSWORD}</code></p>\
             <form method=\"post\" action=\"/fim/hosted/{id}/3ds\" autocomplete=\"off\">\
             <label>Password<input name=\"password\" type=\"password\"></label>\
             <button type=\"submit\">Submit</button></form>",
            pan = escape(card.masked_pan.as_str()),
        ),
    );
    p.card = Some(card);
    page.into_response()
}

#[cfg(test)]
mod tests {
    use super::challenge::verdict;
    use super::*;
    use time::macros::datetime;

    #[test]
    fn expiry_rules() {
        let now = datetime!(2026-11-24 10:00 UTC);
        assert!(expiry_ok("12/30", now));
        assert!(expiry_ok("11/26", now));
        assert!(!expiry_ok("10/26", now));
        assert!(!expiry_ok("13/30", now));
        assert!(!expiry_ok("12/2030", now));
        assert!(!expiry_ok("1230", now));
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(CardOutcome::Approve, true).response, "Approved");
        assert_eq!(verdict(CardOutcome::Approve, false).md_status, "0");
        assert_eq!(verdict(CardOutcome::Fail3ds, true).md_status, "0");
        assert_eq!(
            verdict(CardOutcome::Decline("51"), true).proc_return_code,
            "51"
        );
        assert_eq!(verdict(CardOutcome::GatewayError, true).response, "Error");
    }
}
