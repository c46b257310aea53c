//! The auto-posting form that starts a 3D Pay Hosting payment (protocol note,
//! section 1). The buyer types the card on the gateway's page; this form carries
//! no card data.

use std::fmt;

use rand::Rng as _;
use rand::distributions::Alphanumeric;
use secrecy::ExposeSecret as _;

use crate::config::{Credentials, GatewayEndpoints};
use crate::hash::ver3_hash;
use crate::money::Money;

/// Longest order id we send. Payten's limit is unconfirmed (protocol note,
/// section 1); 20 keeps us under every value seen in the field, and leaves room
/// for the `-N` suffix the gateway appends to recurring installments.
pub const MAX_OID_LEN: usize = 20;

/// Most payments a recurring series may have (the gateway's limit).
pub const MAX_RECURRING_PAYMENTS: u16 = 121;

/// Length of the `rnd` nonce.
const RND_LEN: usize = 20;

/// Why a payment form could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("order id must be 1 to {MAX_OID_LEN} characters of A-Z, a-z, 0-9, '-' or '_'")]
    InvalidOrderId,
    #[error("amount must be positive")]
    NonPositiveAmount,
    #[error("{0} must be an absolute http(s) URL")]
    InvalidUrl(&'static str),
    #[error("{0} contains control characters or is too long")]
    InvalidText(&'static str),
    #[error("recurring payment number must be 2 to {MAX_RECURRING_PAYMENTS}")]
    InvalidRecurringCount,
    #[error("recurring frequency must be 1 to 999")]
    InvalidRecurringFrequency,
    #[error("a recurring series must start with an Auth (sale), not a PreAuth")]
    RecurringNeedsAuth,
}

/// A validated order id: short ASCII, safe in URLs, XML and HTML unescaped.
/// The gateway correlates everything by it; use a fresh one per attempt.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OrderId(String);

impl OrderId {
    pub fn new(value: impl Into<String>) -> Result<OrderId, FormError> {
        let value = value.into();
        let ok = !value.is_empty()
            && value.len() <= MAX_OID_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(OrderId(value))
        } else {
            Err(FormError::InvalidOrderId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrderId({})", self.0)
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `TranType`: a sale, or a pre-authorisation captured later with PostAuth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranType {
    Auth,
    PreAuth,
}

impl TranType {
    pub fn as_str(self) -> &'static str {
        match self {
            TranType::Auth => "Auth",
            TranType::PreAuth => "PreAuth",
        }
    }
}

/// Language of the hosted page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    /// Albanian; used by BKT Albania, unconfirmed for Kosovo.
    Sq,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sq => "sq",
        }
    }
}

/// `RecurringFrequencyUnit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrequencyUnit {
    Day,
    Week,
    Month,
    Year,
}

impl FrequencyUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            FrequencyUnit::Day => "D",
            FrequencyUnit::Week => "W",
            FrequencyUnit::Month => "M",
            FrequencyUnit::Year => "Y",
        }
    }

    pub fn parse(s: &str) -> Option<FrequencyUnit> {
        match s {
            "D" => Some(FrequencyUnit::Day),
            "W" => Some(FrequencyUnit::Week),
            "M" => Some(FrequencyUnit::Month),
            "Y" => Some(FrequencyUnit::Year),
            _ => None,
        }
    }
}

/// The schedule of a subscription that the gateway runs (protocol note, section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurring {
    /// Payments in the series, this first one included (2 to 121).
    pub payments: u16,
    pub unit: FrequencyUnit,
    /// Every `frequency` units, e.g. 1 month.
    pub frequency: u16,
}

/// Optional buyer details shown on the gateway's page and in its back office.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillTo {
    pub name: Option<String>,
    pub company: Option<String>,
    pub street1: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

impl BillTo {
    /// The gateway's field names with their values, in one place for building and
    /// validating the form.
    fn fields(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("BillToName", &self.name),
            ("BillToCompany", &self.company),
            ("BillToStreet1", &self.street1),
            ("BillToCity", &self.city),
            ("BillToPostalCode", &self.postal_code),
            ("BillToCountry", &self.country),
        ]
    }
}

/// One payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub oid: OrderId,
    pub amount: Money,
    pub tran_type: TranType,
    /// Browser return after an approval.
    pub ok_url: String,
    /// Browser return otherwise.
    pub fail_url: String,
    /// Server-to-server notification; must answer the plain body `Approved`.
    pub callback_url: String,
    pub lang: Lang,
    pub email: Option<String>,
    pub bill_to: BillTo,
    /// Set on the first payment of a subscription.
    pub recurring: Option<Recurring>,
}

/// The form the platform renders and auto-posts from the buyer's browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedForm {
    /// Where the form posts (the 3D gate).
    pub action: String,
    /// Field names and values, in the order to render them; includes `hash`.
    pub fields: Vec<(String, String)>,
}

/// Builds the signed hosted-page form with a fresh random `rnd`.
pub fn hosted_form(
    endpoints: &GatewayEndpoints,
    credentials: &Credentials,
    request: &PaymentRequest,
) -> Result<HostedForm, FormError> {
    let rnd: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(RND_LEN)
        .map(char::from)
        .collect();
    hosted_form_with_rnd(endpoints, credentials, request, &rnd)
}

/// As [`hosted_form`], with a given nonce (for reproducible tests).
pub fn hosted_form_with_rnd(
    endpoints: &GatewayEndpoints,
    credentials: &Credentials,
    request: &PaymentRequest,
    rnd: &str,
) -> Result<HostedForm, FormError> {
    validate(request)?;
    let mut fields: Vec<(String, String)> = Vec::with_capacity(32);
    let mut push = |name: &str, value: &str| fields.push((name.to_owned(), value.to_owned()));
    push("clientid", &credentials.client_id);
    push("storetype", "3d_pay_hosting");
    push("TranType", request.tran_type.as_str());
    push("amount", &request.amount.to_decimal_string());
    push("currency", request.amount.currency().numeric());
    push("oid", request.oid.as_str());
    push("okUrl", &request.ok_url);
    push("failUrl", &request.fail_url);
    push("callbackUrl", &request.callback_url);
    push("rnd", rnd);
    push("hashAlgorithm", "ver3");
    push("lang", request.lang.as_str());
    push("Instalment", "");
    push("encoding", "UTF-8");
    if let Some(email) = &request.email {
        push("email", email);
    }
    for (name, value) in request.bill_to.fields() {
        if let Some(v) = value {
            push(name, v);
        }
    }
    if let Some(r) = request.recurring {
        push("RecurringPaymentNumber", &r.payments.to_string());
        push("RecurringFrequencyUnit", r.unit.as_str());
        push("RecurringFrequency", &r.frequency.to_string());
    }
    let hash = ver3_hash(&fields, credentials.store_key.expose_secret());
    fields.push(("hash".to_owned(), hash));
    Ok(HostedForm {
        action: endpoints.gate_url.clone(),
        fields,
    })
}

fn validate(request: &PaymentRequest) -> Result<(), FormError> {
    if !request.amount.is_positive() {
        return Err(FormError::NonPositiveAmount);
    }
    for (name, url) in [
        ("okUrl", &request.ok_url),
        ("failUrl", &request.fail_url),
        ("callbackUrl", &request.callback_url),
    ] {
        let parsed = reqwest::Url::parse(url).map_err(|_| FormError::InvalidUrl(name))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(FormError::InvalidUrl(name));
        }
    }
    for (name, value) in std::iter::once(("email", &request.email)).chain(request.bill_to.fields())
    {
        if let Some(v) = value
            && (v.chars().count() > 255 || v.chars().any(char::is_control))
        {
            return Err(FormError::InvalidText(name));
        }
    }
    if let Some(r) = request.recurring {
        if request.tran_type != TranType::Auth {
            return Err(FormError::RecurringNeedsAuth);
        }
        if !(2..=MAX_RECURRING_PAYMENTS).contains(&r.payments) {
            return Err(FormError::InvalidRecurringCount);
        }
        if !(1..=999).contains(&r.frequency) {
            return Err(FormError::InvalidRecurringFrequency);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::verify_ver3;
    use crate::money::Currency;
    use secrecy::SecretString;

    fn creds() -> Credentials {
        Credentials {
            client_id: "520000000".into(),
            store_key: SecretString::from("SKEY|1\\2"),
            api_user: "api".into(),
            api_password: SecretString::from("pw"),
        }
    }

    fn request() -> PaymentRequest {
        PaymentRequest {
            oid: OrderId::new("INV-2026-0001-1").expect("valid oid"),
            amount: Money::new(1250, Currency::Eur),
            tran_type: TranType::Auth,
            ok_url: "https://merchant.example/pay/ok".into(),
            fail_url: "https://merchant.example/pay/fail".into(),
            callback_url: "https://merchant.example/pay/cb".into(),
            lang: Lang::En,
            email: None,
            bill_to: BillTo {
                name: Some("Arbër Çela|x\\y".into()),
                ..BillTo::default()
            },
            recurring: None,
        }
    }

    #[test]
    fn reproduces_the_second_known_answer() {
        let endpoints = GatewayEndpoints::from_base("https://gate.example");
        let form =
            hosted_form_with_rnd(&endpoints, &creds(), &request(), "a1b2c3d4e5f6").expect("form");
        assert_eq!(form.action, "https://gate.example/fim/est3Dgate");
        let hash = form
            .fields
            .iter()
            .find(|(n, _)| n == "hash")
            .map(|(_, v)| v.as_str());
        assert_eq!(
            hash,
            Some(
                "w04IY6ok0oihXb6MsOXG4XL0dDJJV/JHLfH3jxtWEAXtYVgytC2zStoYGxPpPI+uibr2iqnG6jbIS6Clactgwg=="
            )
        );
    }

    #[test]
    fn recurring_fields_are_signed() {
        let mut r = request();
        r.recurring = Some(Recurring {
            payments: 12,
            unit: FrequencyUnit::Month,
            frequency: 1,
        });
        let endpoints = GatewayEndpoints::from_base("https://gate.example");
        let form = hosted_form(&endpoints, &creds(), &r).expect("form");
        let get = |n: &str| {
            form.fields
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("RecurringPaymentNumber").as_deref(), Some("12"));
        assert_eq!(get("RecurringFrequencyUnit").as_deref(), Some("M"));
        let hash = get("hash").expect("hash");
        assert!(verify_ver3(&form.fields, "SKEY|1\\2", &hash));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(OrderId::new(""), Err(FormError::InvalidOrderId));
        assert_eq!(OrderId::new("a".repeat(21)), Err(FormError::InvalidOrderId));
        assert_eq!(OrderId::new("ordér"), Err(FormError::InvalidOrderId));
        assert_eq!(OrderId::new("a b"), Err(FormError::InvalidOrderId));
        let endpoints = GatewayEndpoints::from_base("https://gate.example");
        let mut r = request();
        for minor in [0, -1250] {
            r.amount = Money::new(minor, Currency::Eur);
            assert_eq!(
                hosted_form(&endpoints, &creds(), &r),
                Err(FormError::NonPositiveAmount)
            );
        }
        let mut r = request();
        r.ok_url = "javascript:alert(1)".into();
        assert_eq!(
            hosted_form(&endpoints, &creds(), &r),
            Err(FormError::InvalidUrl("okUrl"))
        );
        let mut r = request();
        r.recurring = Some(Recurring {
            payments: 122,
            unit: FrequencyUnit::Month,
            frequency: 1,
        });
        assert_eq!(
            hosted_form(&endpoints, &creds(), &r),
            Err(FormError::InvalidRecurringCount)
        );
        r.tran_type = TranType::PreAuth;
        r.recurring = Some(Recurring {
            payments: 3,
            unit: FrequencyUnit::Day,
            frequency: 1,
        });
        assert_eq!(
            hosted_form(&endpoints, &creds(), &r),
            Err(FormError::RecurringNeedsAuth)
        );
    }
}
