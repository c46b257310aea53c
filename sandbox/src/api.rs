//! `POST /fim/api`: the CC5 XML API (protocol note, section 4). Takes the XML
//! as a raw body or as the form field `DATA`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payten::cc5::{Cc5Document, XmlEncoding};
use payten::{Currency, Money};

use crate::SandboxState;
use crate::clock::{gateway_time, lock};
use crate::config::StoreConfig;
use crate::faults::{Fault, FaultKind};
use crate::ledger::{Ledger, LedgerError, Order, Txn, TxnKind};

/// An answer and the encoding it is sent in. Queries answer in ISO-8859-9 and
/// financial operations in UTF-8, so clients meet both, as with Payten.
struct Answer {
    doc: Cc5Document,
    encoding: XmlEncoding,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let content_type = match self.encoding {
            XmlEncoding::Utf8 => "text/xml; charset=UTF-8",
            XmlEncoding::Iso8859_9 => "text/xml; charset=ISO-8859-9",
        };
        let mut r = self.doc.to_bytes(self.encoding).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    }
}

fn base(order_id: &str, response: &str, code: &str, err: &str) -> Cc5Document {
    Cc5Document::new("CC5Response")
        .element("OrderId", order_id)
        .element("GroupId", order_id)
        .element("Response", response)
        .element("AuthCode", "")
        .element("HostRefNum", "")
        .element("ProcReturnCode", code)
        .element("TransId", "")
        .element("ErrMsg", err)
}

fn error(order_id: &str, err: &str, error_code: Option<&str>) -> Answer {
    let mut doc = base(order_id, "Error", "99", err);
    if let Some(code) = error_code {
        doc = doc.extra_element("ERRORCODE", code);
    }
    Answer {
        doc,
        encoding: XmlEncoding::Utf8,
    }
}

fn not_found(id: &str) -> Answer {
    error(id, &format!("No record found for {id}"), None)
}

fn ledger_error(id: &str, e: LedgerError) -> Answer {
    match e {
        LedgerError::NotFound => not_found(id),
        LedgerError::NothingVoidable => {
            error(id, "No voidable transaction found", Some("CORE-2008"))
        }
        LedgerError::RefundExceedsRemaining => error(
            id,
            "Refund amount exceeds the remaining amount of the order",
            Some("215021"),
        ),
        LedgerError::RefundBeforeSettlement => error(
            id,
            "Refund is not allowed before settlement; use Void for a same-day transaction",
            None,
        ),
        LedgerError::NotEligible(why) => error(id, why, None),
    }
}

fn approved(id: &str, txn: &Txn) -> Answer {
    let doc = Cc5Document::new("CC5Response")
        .element("OrderId", id)
        .element("GroupId", id)
        .element("Response", "Approved")
        .element("AuthCode", &txn.auth_code)
        .element("HostRefNum", &txn.host_ref_num)
        .element("ProcReturnCode", "00")
        .element("TransId", &txn.trans_id)
        .element("ErrMsg", "")
        .extra_element("SETTLEID", "")
        .extra_element("TRXDATE", &gateway_time(txn.at))
        .extra_element("ERRORCODE", "");
    Answer {
        doc,
        encoding: XmlEncoding::Utf8,
    }
}

/// The XML of a request: the `DATA` form field, or the raw body.
fn request_xml(headers: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
        || body.starts_with(b"DATA=");
    if is_form && let Some((_, xml)) = form_urlencoded::parse(body).find(|(k, _)| k == "DATA") {
        return xml.into_owned().into_bytes();
    }
    body.to_vec()
}

fn authenticate<'a>(state: &'a SandboxState, req: &Cc5Document) -> Option<&'a StoreConfig> {
    let store = state.config.store(req.get("ClientId")?)?;
    (req.get("Name") == Some(store.api_user.as_str())
        && req.get("Password") == Some(store.api_password.as_str()))
    .then_some(store)
}

/// `POST /fim/api`
pub async fn fim_api(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let xml = request_xml(&headers, &body);
    let req = match Cc5Document::parse(&xml) {
        Ok(doc) if doc.root == "CC5Request" => doc,
        _ => return error("", "Invalid request: not a CC5Request document", None).into_response(),
    };
    let Some(store) = authenticate(&state, &req) else {
        tracing::warn!("API request with wrong Name, Password or ClientId");
        return error(
            req.get("OrderId").unwrap_or_default(),
            "Authentication failed: invalid API user, password or client id",
            None,
        )
        .into_response();
    };
    let client_id = store.client_id.clone();
    let id = req
        .get("OrderId")
        .or_else(|| req.get_extra("RECURRINGID"))
        .or_else(|| req.get_extra("RECORDID"))
        .unwrap_or_default()
        .to_owned();

    let (delay, server_error, hang) = {
        let mut faults = lock(&state.faults);
        (
            faults.take(FaultKind::Delay, &client_id, &id),
            faults.take(FaultKind::ApiServerError, &client_id, &id),
            faults.take(FaultKind::ApiTimeout, &client_id, &id),
        )
    };
    if let Some(Fault::Delay { ms }) = delay {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(Fault::ApiServerError { status }) = server_error {
        tracing::info!(id, status, "fault: API answers with a server error");
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return (status, "Service Unavailable").into_response();
    }

    let answer = handle(&state, &client_id, &id, &req);
    tracing::info!(
        client_id,
        id,
        kind = req.get("Type").unwrap_or("query"),
        "API request handled"
    );

    if let Some(Fault::ApiTimeout { hang_ms }) = hang {
        // The operation has happened; the answer is what gets lost.
        tracing::info!(id, hang_ms, "fault: API hangs after processing");
        tokio::time::sleep(Duration::from_millis(hang_ms)).await;
    }
    answer.into_response()
}

fn handle(state: &SandboxState, client_id: &str, id: &str, req: &Cc5Document) -> Answer {
    let now = state.clock.now();
    let mut ledger = lock(&state.ledger);
    ledger.run_due(now);
    let amount = || -> Option<u64> {
        let currency = req.get("Currency").and_then(Currency::from_numeric)?;
        Money::parse_decimal(req.get("Total")?, currency)
            .ok()
            .filter(|m| m.is_positive())
            .and_then(|m| u64::try_from(m.minor()).ok())
    };
    match req.get("Type") {
        Some("Credit") => {
            let (Some(minor), Some(currency)) = (
                amount(),
                req.get("Currency").and_then(Currency::from_numeric),
            ) else {
                return error(id, "Invalid Total or Currency", None);
            };
            match ledger.credit(
                client_id,
                id,
                minor,
                currency,
                state.config.refuse_same_day_refunds,
                now,
            ) {
                Ok(txn) => approved(id, &txn),
                Err(e) => ledger_error(id, e),
            }
        }
        Some("Void") => match ledger.void(client_id, id, now) {
            Ok(txn) => approved(id, &txn),
            Err(e) => ledger_error(id, e),
        },
        Some("PostAuth") => {
            let Some(minor) = amount() else {
                return error(id, "Invalid Total or Currency", None);
            };
            match ledger.post_auth(client_id, id, minor, now) {
                Ok(txn) => approved(id, &txn),
                Err(e) => ledger_error(id, e),
            }
        }
        Some(_) => error(id, "Unsupported transaction type", None),
        None => query(&mut ledger, client_id, id, req),
    }
}

fn query(ledger: &mut Ledger, client_id: &str, id: &str, req: &Cc5Document) -> Answer {
    let ok = |doc: Cc5Document| Answer {
        doc,
        encoding: XmlEncoding::Iso8859_9,
    };
    if req.get_extra("RECURRINGOPERATION") == Some("Cancel") {
        if req.get_extra("RECORDTYPE") != Some("Recurring") {
            return error(id, "Unsupported RECORDTYPE", None);
        }
        return match ledger.cancel_series(client_id, id) {
            Ok(()) => ok(base(id, "Approved", "00", "")),
            Err(e) => ledger_error(id, e),
        };
    }
    if let Some(rid) = req.get_extra("RECURRINGID") {
        let Some(series) = ledger.series(client_id, rid) else {
            return not_found(rid);
        };
        let mut doc = base(rid, "Approved", "00", "")
            .extra_element("RECURRINGCOUNT", &series.payments.to_string());
        for n in 1..=series.payments {
            let oid = series.installment_oid(n);
            let (stat, captured) = match ledger.order(client_id, &oid) {
                Some(o) if n <= series.charged => (o.stat(), o.captured_minor()),
                _ if series.cancelled => ("CNCL", 0),
                _ => ("PN", 0),
            };
            doc = doc
                .extra_element(&format!("ORD_ID_{n}"), &oid)
                .extra_element(&format!("TRANS_STAT_{n}"), stat)
                .extra_element(&format!("CAPTURE_AMT_{n}"), &captured.to_string())
                .extra_element(
                    &format!("PLANNED_START_DTTM_{n}"),
                    &gateway_time(series.planned(n)),
                );
        }
        return ok(doc);
    }
    let Some(order) = ledger.order(client_id, id) else {
        return not_found(id);
    };
    if req.get_extra("ORDERHISTORY") == Some("QUERY") {
        return ok(history(order));
    }
    if req.get_extra("ORDERSTATUS") == Some("QUERY") {
        return ok(status(order));
    }
    error(id, "Unsupported query", None)
}

fn status(order: &Order) -> Cc5Document {
    let main = order.main();
    let time_of = |t: Option<time::OffsetDateTime>| t.map(gateway_time).unwrap_or_default();
    let capture_time = order
        .transactions
        .iter()
        .find(|t| {
            t.approved
                && t.voided_at.is_none()
                && matches!(t.kind, TxnKind::Sale | TxnKind::PostAuth)
        })
        .map(|t| t.at);
    base(&order.oid, "Approved", "00", "")
        .extra_element("ORD_ID", &order.oid)
        .extra_element("CURRENCY", order.currency.numeric())
        .extra_element("CHARGE_TYPE_CD", "S")
        .extra_element("ORIG_TRANS_AMT", &main.amount_minor.to_string())
        .extra_element("CAPTURE_AMT", &order.captured_minor().to_string())
        .extra_element("TRANS_STAT", order.stat())
        .extra_element("AUTH_CODE", &main.auth_code)
        .extra_element("AUTH_DTTM", &gateway_time(main.at))
        .extra_element("CAPTURE_DTTM", &time_of(capture_time))
        .extra_element("VOID_DTTM", &time_of(main.voided_at))
        .extra_element("HOST_REF_NUM", &main.host_ref_num)
        .extra_element("PAN", order.masked_pan.as_str())
        .extra_element("CARDBRAND", order.brand)
        .extra_element("CARDISSUER", "Banka Kombëtare Tregtare (sandbox)")
        .extra_element("PROC_RET_CD", &main.proc_return_code)
}

fn history(order: &Order) -> Cc5Document {
    let mut doc = base(&order.oid, "Approved", "00", "")
        .extra_element("CURRENCY", order.currency.numeric())
        .extra_element("TRXCOUNT", &order.transactions.len().to_string());
    for (i, t) in order.transactions.iter().enumerate() {
        let captured = if t.approved && t.kind != TxnKind::PreAuth {
            t.amount_minor
        } else {
            0
        };
        let line = [
            t.kind.code().to_owned(),
            t.stat().to_owned(),
            t.amount_minor.to_string(),
            captured.to_string(),
            gateway_time(t.at),
            if captured > 0 {
                gateway_time(t.at)
            } else {
                String::new()
            },
            t.voided_at.map(gateway_time).unwrap_or_default(),
            t.host_ref_num.clone(),
            t.auth_code.clone(),
            t.proc_return_code.clone(),
            t.trans_id.clone(),
        ]
        .join("\t");
        doc = doc.extra_element(&format!("TRX{}", i + 1), &line);
    }
    doc
}
