//! Verifying and reading the gateway's browser returns and server callbacks
//! (protocol note, section 3).

use std::collections::HashSet;

use secrecy::ExposeSecret as _;

use crate::codes::{MdStatus, ProcReturnCode, ResponseStatus, liability_shifted};
use crate::config::Credentials;
use crate::hash::verify_ver3;
use crate::money::{Currency, Money};
use crate::pan::MaskedPan;

/// More fields than any real return carries; a bigger POST is not from the gateway.
const MAX_FIELDS: usize = 200;
/// Longest value accepted in a return.
const MAX_VALUE_LEN: usize = 4096;
/// Field names quoted in errors are cut to this length.
const MAX_NAME_IN_ERROR: usize = 40;

/// Why a return or callback was refused. None of these carries a field value,
/// so no card data or secret can leak through an error or a log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    /// The hash does not verify with the store key: the POST changes nothing
    /// and should be audited.
    #[error("hash does not verify")]
    BadHash,
    #[error("required field {0} is missing")]
    Missing(&'static str),
    #[error("field {field} is malformed: {reason}")]
    Malformed { field: String, reason: &'static str },
    /// The `clientid` is not the one of these credentials.
    #[error("return is for client id {client_id}, not this gateway account")]
    UnknownClient { client_id: String },
}

fn malformed(field: &str, reason: &'static str) -> ReturnError {
    let field: String = field
        .chars()
        .take(MAX_NAME_IN_ERROR)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    ReturnError::Malformed { field, reason }
}

/// Received form fields that passed the structural checks (no duplicate
/// names, bounded size), not yet verified.
#[derive(Clone)]
pub struct ReceivedFields {
    fields: Vec<(String, String)>,
}

impl ReceivedFields {
    /// Takes the fields of a POST body or a GET query. A field name sent twice
    /// (compared case-insensitively, as the hash orders them) makes the hash
    /// ambiguous, so the whole return is malformed.
    pub fn new(fields: Vec<(String, String)>) -> Result<ReceivedFields, ReturnError> {
        if fields.len() > MAX_FIELDS {
            return Err(malformed("(form)", "too many fields"));
        }
        let mut seen = HashSet::with_capacity(fields.len());
        for (name, value) in &fields {
            if !seen.insert(name.to_ascii_uppercase()) {
                return Err(malformed(name, "sent more than once"));
            }
            if value.len() > MAX_VALUE_LEN {
                return Err(malformed(name, "value too long"));
            }
        }
        Ok(ReceivedFields { fields })
    }

    /// The first value of a field with exactly this name.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `clientid` the return claims, to pick the gateway account whose
    /// credentials verify it. Not trustworthy until [`ReceivedFields::verify`] passes.
    pub fn client_id(&self) -> Option<&str> {
        self.get("clientid")
    }

    /// Checks the client id and the ver3 hash (constant-time), then reads the
    /// typed return.
    pub fn verify(&self, credentials: &Credentials) -> Result<GatewayReturn, ReturnError> {
        let client_id = self.client_id().ok_or(ReturnError::Missing("clientid"))?;
        if client_id != credentials.client_id {
            return Err(ReturnError::UnknownClient {
                client_id: client_id.chars().take(MAX_NAME_IN_ERROR).collect(),
            });
        }
        let received_hash = self
            .get("HASH")
            .or_else(|| self.get("hash"))
            .ok_or(ReturnError::Missing("HASH"))?;
        if !verify_ver3(
            &self.fields,
            credentials.store_key.expose_secret(),
            received_hash,
        ) {
            return Err(ReturnError::BadHash);
        }
        self.parse(client_id)
    }

    fn parse(&self, client_id: &str) -> Result<GatewayReturn, ReturnError> {
        let required = |name: &'static str| self.get(name).ok_or(ReturnError::Missing(name));
        let optional = |name: &str| self.get(name).filter(|v| !v.is_empty()).map(str::to_owned);

        let oid = self
            .get("oid")
            .or_else(|| self.get("ReturnOid"))
            .filter(|v| !v.is_empty())
            .ok_or(ReturnError::Missing("oid"))?
            .to_owned();
        let currency = Currency::from_numeric(required("currency")?)
            .ok_or_else(|| malformed("currency", "not a supported ISO 4217 numeric code"))?;
        let amount = Money::parse_decimal(required("amount")?, currency)
            .map_err(|_| malformed("amount", "not a decimal amount"))?;
        let response = ResponseStatus::parse(required("Response")?)
            .ok_or_else(|| malformed("Response", "not Approved, Declined or Error"))?;
        let callback_call = match self.get("callbackCall") {
            None | Some("") => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(malformed("callbackCall", "not true or false")),
        };
        let masked_pan = optional("MaskedPan")
            .or_else(|| optional("maskedCreditCard"))
            .map(|p| MaskedPan::from_gateway(&p));

        Ok(GatewayReturn {
            client_id: client_id.to_owned(),
            oid,
            amount,
            response,
            proc_return_code: optional("ProcReturnCode").map(|c| ProcReturnCode::parse(&c)),
            md_status: optional("mdStatus").map(|s| MdStatus::parse(&s)),
            eci: optional("eci"),
            trans_id: optional("TransId"),
            auth_code: optional("AuthCode"),
            host_ref_num: optional("HostRefNum"),
            masked_pan,
            err_msg: optional("ErrMsg"),
            md_error_msg: optional("mdErrorMsg"),
            recurring_id: optional("EXTRA.RECURRINGID"),
            trx_date: optional("EXTRA_TRXDATE"),
            card_brand: optional("EXTRA_CARDBRAND"),
            callback_call,
        })
    }
}

/// Verifies a return or callback in one step: structure, client id, hash, fields.
pub fn verify_return(
    fields: Vec<(String, String)>,
    credentials: &Credentials,
) -> Result<GatewayReturn, ReturnError> {
    ReceivedFields::new(fields)?.verify(credentials)
}

/// A return or callback whose hash verified. Only a value of this type can say
/// a payment is paid, so "hash ok" is part of [`GatewayReturn::is_paid`] by
/// construction. Holds no card data beyond a masked PAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayReturn {
    pub client_id: String,
    pub oid: String,
    pub amount: Money,
    pub response: ResponseStatus,
    /// Absent when no authorisation was attempted (e.g. 3-D Secure failed).
    pub proc_return_code: Option<ProcReturnCode>,
    pub md_status: Option<MdStatus>,
    /// The Electronic Commerce Indicator of the 3-D Secure step. The `cavv` and `xid`
    /// values beside it are deliberately not read: nothing downstream may keep them.
    pub eci: Option<String>,
    pub trans_id: Option<String>,
    pub auth_code: Option<String>,
    pub host_ref_num: Option<String>,
    pub masked_pan: Option<MaskedPan>,
    pub err_msg: Option<String>,
    pub md_error_msg: Option<String>,
    /// `EXTRA.RECURRINGID`, on the first payment of a recurring series.
    pub recurring_id: Option<String>,
    /// `EXTRA_TRXDATE` as sent (`yyyyMMdd HH:mm:ss`).
    pub trx_date: Option<String>,
    pub card_brand: Option<String>,
    /// True for the server-to-server callback, false for a browser return.
    pub callback_call: bool,
}

impl GatewayReturn {
    /// Hash verified (by construction), `Response=Approved` and
    /// `ProcReturnCode=00`. Confirm with an order-status query before shipping.
    pub fn is_paid(&self) -> bool {
        self.response == ResponseStatus::Approved
            && self.proc_return_code == Some(ProcReturnCode::Approved)
    }

    /// Whether 3-D Secure shifted the fraud liability to the issuer (see
    /// [`liability_shifted`]); `None` when the answer carries no 3-D Secure result.
    pub fn liability_shifted(&self) -> Option<bool> {
        self.md_status
            .as_ref()
            .map(|md| liability_shifted(md, self.eci.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::ver3_hash;
    use proptest::prelude::*;
    use secrecy::SecretString;

    const KEY: &str = "STORE|KEY\\1";

    fn creds() -> Credentials {
        Credentials {
            client_id: "520000001".into(),
            store_key: SecretString::from(KEY),
            api_user: "api".into(),
            api_password: SecretString::from("pw"),
        }
    }

    fn approved_fields() -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = [
            ("clientid", "520000001"),
            ("oid", "ORD-1"),
            ("amount", "12.50"),
            ("currency", "978"),
            ("Response", "Approved"),
            ("ProcReturnCode", "00"),
            ("mdStatus", "1"),
            ("eci", "02"),
            ("cavv", "AAABBBCCC="),
            ("AuthCode", "123456"),
            ("TransId", "T1"),
            ("HostRefNum", "H1"),
            ("MaskedPan", "557113***5575"),
            ("ErrMsg", ""),
            ("callbackCall", "true"),
            ("encoding", "UTF-8"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let hash = ver3_hash(&f, KEY);
        f.push(("HASH".into(), hash));
        f
    }

    #[test]
    fn verifies_and_parses_an_approval() {
        let r = verify_return(approved_fields(), &creds()).expect("valid return");
        assert!(r.is_paid());
        assert_eq!(r.amount, Money::new(1250, Currency::Eur));
        assert_eq!(r.md_status, Some(MdStatus::FullyAuthenticated));
        assert_eq!(
            r.masked_pan.as_ref().map(MaskedPan::as_str),
            Some("557113***5575")
        );
        assert!(r.callback_call);
        assert_eq!(r.err_msg, None);
        assert_eq!(r.eci.as_deref(), Some("02"));
        assert_eq!(r.liability_shifted(), Some(true));
        assert!(
            !format!("{r:?}").contains("AAABBBCCC="),
            "the CAVV is not read"
        );
    }

    #[test]
    fn refuses_tampering_duplicates_and_strangers() {
        let mut f = approved_fields();
        f[2].1 = "1.00".into();
        assert_eq!(verify_return(f, &creds()), Err(ReturnError::BadHash));

        let mut f = approved_fields();
        f.push(("OID".into(), "other".into()));
        assert!(matches!(
            verify_return(f, &creds()),
            Err(ReturnError::Malformed { .. })
        ));

        let mut f = approved_fields();
        f.retain(|(n, _)| n != "HASH");
        assert_eq!(
            verify_return(f, &creds()),
            Err(ReturnError::Missing("HASH"))
        );

        let mut other = creds();
        other.client_id = "999".into();
        assert!(matches!(
            verify_return(approved_fields(), &other),
            Err(ReturnError::UnknownClient { .. })
        ));
    }

    #[test]
    fn declined_is_not_paid() {
        let mut f: Vec<(String, String)> = approved_fields();
        f.retain(|(n, _)| n != "HASH");
        for (n, v) in f.iter_mut() {
            match n.as_str() {
                "Response" => *v = "Declined".into(),
                "ProcReturnCode" => *v = "51".into(),
                _ => {}
            }
        }
        let hash = ver3_hash(&f, KEY);
        f.push(("HASH".into(), hash));
        let r = verify_return(f, &creds()).expect("valid return");
        assert!(!r.is_paid());
        assert_eq!(r.proc_return_code, Some(ProcReturnCode::InsufficientFunds));
    }

    #[test]
    fn a_full_pan_is_masked_and_never_in_debug() {
        let mut f = approved_fields();
        f.retain(|(n, _)| n != "HASH");
        for (n, v) in f.iter_mut() {
            if n == "MaskedPan" {
                *v = "5571135571135575".into();
            }
        }
        let hash = ver3_hash(&f, KEY);
        f.push(("HASH".into(), hash));
        let r = verify_return(f, &creds()).expect("valid return");
        assert!(!format!("{r:?}").contains("5571135571135575"));
    }

    proptest! {
        #[test]
        fn arbitrary_fields_never_panic(
            fields in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,24}"), 0..24),
        ) {
            let _ = verify_return(fields, &creds());
        }

        /// Correctly signed but otherwise arbitrary returns parse or fail with a typed error.
        #[test]
        fn signed_arbitrary_fields_never_panic(
            mut fields in proptest::collection::vec(
                (prop_oneof![
                    Just("amount".to_string()), Just("currency".to_string()),
                    Just("Response".to_string()), Just("oid".to_string()),
                    Just("mdStatus".to_string()), Just("callbackCall".to_string()),
                    Just("MaskedPan".to_string()), "\\PC{1,8}",
                ], "\\PC{0,24}"),
                0..12,
            ),
        ) {
            fields.push(("clientid".into(), "520000001".into()));
            let hash = ver3_hash(&fields, KEY);
            fields.push(("HASH".into(), hash));
            let _ = verify_return(fields, &creds());
        }
    }
}
