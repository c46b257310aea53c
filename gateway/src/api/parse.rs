//! Reading CC5 answers into the typed responses.

use super::types::{
    ChargeType, Decline, FinancialResponse, HistoryEntry, Installment, OrderHistory, OrderStatus,
    RecurringStatus,
};
use super::{ApiError, Operation};
use crate::cc5::Cc5Document;
use crate::codes::{ErrorCode, ProcReturnCode, ResponseStatus, TransStat};
use crate::money::Currency;
use crate::pan::MaskedPan;

/// Most installments or history lines read from one answer (a series has at
/// most 121 payments; history lines are few).
const MAX_LINES: u32 = 1000;

fn non_empty(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn is_approved(doc: &Cc5Document) -> bool {
    doc.get("Response") == Some("Approved")
}

fn decline(doc: &Cc5Document) -> Decline {
    Decline {
        response: doc.get("Response").and_then(ResponseStatus::parse),
        proc_return_code: non_empty(doc.get("ProcReturnCode")).map(|c| ProcReturnCode::parse(&c)),
        err_msg: non_empty(doc.get("ErrMsg")),
        error_code: non_empty(doc.get_extra("ERRORCODE")).map(|c| ErrorCode::parse(&c)),
    }
}

/// `ProcReturnCode=99` with `ErrMsg=No record found for <id>`.
fn not_found(doc: &Cc5Document) -> bool {
    doc.get("ProcReturnCode") == Some("99")
        && doc
            .get("ErrMsg")
            .is_some_and(|m| m.starts_with("No record found"))
}

fn refusal(id: &str, doc: &Cc5Document) -> ApiError {
    if not_found(doc) {
        ApiError::NotFound(id.to_owned())
    } else {
        ApiError::Declined(decline(doc))
    }
}

fn amount(field: &str, value: Option<&str>) -> Result<Option<u64>, ApiError> {
    match non_empty(value) {
        None => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            ApiError::MalformedResponse(format!("{field} is not an amount in minor units"))
        }),
    }
}

/// `Extra/CURRENCY`, when sent. A code the platform does not take makes the answer
/// unreadable rather than silently "no currency": amounts in it cannot be compared.
fn currency(doc: &Cc5Document) -> Result<Option<Currency>, ApiError> {
    match non_empty(doc.get_extra("CURRENCY")) {
        None => Ok(None),
        Some(code) => Currency::from_numeric(&code).map(Some).ok_or_else(|| {
            ApiError::MalformedResponse("CURRENCY is not a supported ISO 4217 numeric code".into())
        }),
    }
}

pub(super) fn financial(
    operation: Operation,
    id: &str,
    doc: &Cc5Document,
) -> Result<FinancialResponse, ApiError> {
    match doc.get("Response") {
        // An answer without a verdict says nothing about whether money moved.
        None | Some("") => Err(ApiError::OutcomeUnknown {
            operation,
            order_id: id.to_owned(),
            cause: "answer has no Response".into(),
        }),
        Some("Approved") if doc.get("ProcReturnCode") == Some("00") => Ok(FinancialResponse {
            order_id: non_empty(doc.get("OrderId")).unwrap_or_else(|| id.to_owned()),
            group_id: non_empty(doc.get("GroupId")),
            auth_code: non_empty(doc.get("AuthCode")),
            host_ref_num: non_empty(doc.get("HostRefNum")),
            trans_id: non_empty(doc.get("TransId")),
            settle_id: non_empty(doc.get_extra("SETTLEID")),
            trx_date: non_empty(doc.get_extra("TRXDATE")),
        }),
        Some(_) => Err(refusal(id, doc)),
    }
}

pub(super) fn approved(id: &str, doc: &Cc5Document) -> Result<(), ApiError> {
    if is_approved(doc) {
        Ok(())
    } else {
        Err(refusal(id, doc))
    }
}

pub(super) fn order_status(id: &str, doc: &Cc5Document) -> Result<OrderStatus, ApiError> {
    if !is_approved(doc) {
        return Err(refusal(id, doc));
    }
    let x = |name: &str| non_empty(doc.get_extra(name));
    let status = x("TRANS_STAT")
        .map(|s| TransStat::parse(&s))
        .ok_or_else(|| ApiError::MalformedResponse("TRANS_STAT missing".into()))?;
    Ok(OrderStatus {
        order_id: x("ORD_ID").unwrap_or_else(|| id.to_owned()),
        currency: currency(doc)?,
        charge_type: x("CHARGE_TYPE_CD").map(|c| ChargeType::parse(&c)),
        original_amount_minor: amount("ORIG_TRANS_AMT", doc.get_extra("ORIG_TRANS_AMT"))?,
        captured_amount_minor: amount("CAPTURE_AMT", doc.get_extra("CAPTURE_AMT"))?,
        status,
        auth_code: x("AUTH_CODE"),
        host_ref_num: x("HOST_REF_NUM"),
        masked_pan: x("PAN").map(|p| MaskedPan::from_gateway(&p)),
        proc_return_code: x("PROC_RET_CD").map(|c| ProcReturnCode::parse(&c)),
        auth_time: x("AUTH_DTTM"),
        capture_time: x("CAPTURE_DTTM"),
        void_time: x("VOID_DTTM"),
    })
}

fn count(doc: &Cc5Document, name: &str) -> Result<u32, ApiError> {
    let n = non_empty(doc.get_extra(name))
        .ok_or_else(|| ApiError::MalformedResponse(format!("{name} missing")))?
        .parse::<u32>()
        .map_err(|_| ApiError::MalformedResponse(format!("{name} is not a count")))?;
    if n > MAX_LINES {
        return Err(ApiError::MalformedResponse(format!(
            "{name} is implausibly large"
        )));
    }
    Ok(n)
}

pub(super) fn order_history(id: &str, doc: &Cc5Document) -> Result<OrderHistory, ApiError> {
    if !is_approved(doc) {
        return Err(refusal(id, doc));
    }
    let n = count(doc, "TRXCOUNT")?;
    let mut transactions = Vec::new();
    for i in 1..=n {
        let name = format!("TRX{i}");
        let line = doc
            .get_extra(&name)
            .ok_or_else(|| ApiError::MalformedResponse(format!("{name} missing")))?;
        transactions.push(history_line(&name, line)?);
    }
    Ok(OrderHistory {
        order_id: id.to_owned(),
        currency: currency(doc)?,
        transactions,
    })
}

/// `type, trans_stat, orig_amt, capture_amt, auth time, capture time, void time,
/// host ref, auth code, proc return code, trans id`, tab-separated.
fn history_line(name: &str, line: &str) -> Result<HistoryEntry, ApiError> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [
        kind,
        stat,
        orig,
        capture,
        auth_t,
        capture_t,
        void_t,
        host_ref,
        auth_code,
        proc_rc,
        trans_id,
    ] = cols.as_slice()
    else {
        return Err(ApiError::MalformedResponse(format!(
            "{name} does not have 11 columns"
        )));
    };
    let col = |v: &str| non_empty(Some(v));
    Ok(HistoryEntry {
        charge_type: ChargeType::parse(kind.trim()),
        status: TransStat::parse(stat.trim()),
        original_amount_minor: amount(name, Some(orig))?.unwrap_or(0),
        captured_amount_minor: amount(name, Some(capture))?.unwrap_or(0),
        auth_time: col(auth_t),
        capture_time: col(capture_t),
        void_time: col(void_t),
        host_ref_num: col(host_ref),
        auth_code: col(auth_code),
        proc_return_code: col(proc_rc).map(|c| ProcReturnCode::parse(&c)),
        trans_id: col(trans_id),
    })
}

pub(super) fn recurring_status(id: &str, doc: &Cc5Document) -> Result<RecurringStatus, ApiError> {
    if !is_approved(doc) {
        return Err(refusal(id, doc));
    }
    let n = count(doc, "RECURRINGCOUNT")?;
    let mut installments = Vec::new();
    for i in 1..=n {
        let Some(order_id) = non_empty(doc.get_extra(&format!("ORD_ID_{i}"))) else {
            continue;
        };
        let status = non_empty(doc.get_extra(&format!("TRANS_STAT_{i}")))
            .map(|s| TransStat::parse(&s))
            .ok_or_else(|| ApiError::MalformedResponse(format!("TRANS_STAT_{i} missing")))?;
        let capture_name = format!("CAPTURE_AMT_{i}");
        installments.push(Installment {
            number: i,
            order_id,
            status,
            captured_amount_minor: amount(&capture_name, doc.get_extra(&capture_name))?
                .unwrap_or(0),
            planned_start: non_empty(doc.get_extra(&format!("PLANNED_START_DTTM_{i}"))),
        });
    }
    Ok(RecurringStatus {
        recurring_id: id.to_owned(),
        count: n,
        installments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok_doc() -> Cc5Document {
        Cc5Document::new("CC5Response")
            .element("OrderId", "O1")
            .element("Response", "Approved")
            .element("ProcReturnCode", "00")
    }

    #[test]
    fn reads_order_status() {
        let doc = ok_doc()
            .extra_element("ORD_ID", "O1")
            .extra_element("CHARGE_TYPE_CD", "S")
            .extra_element("ORIG_TRANS_AMT", "101")
            .extra_element("CAPTURE_AMT", "101")
            .extra_element("TRANS_STAT", "S")
            .extra_element("PAN", "557113***5575")
            .extra_element("PROC_RET_CD", "00");
        let s = order_status("O1", &doc).expect("status");
        assert_eq!(s.currency, None, "an answer without CURRENCY names none");
        assert_eq!(s.captured_amount_minor, Some(101));
        let s = order_status("O1", &doc.clone().extra_element("CURRENCY", "840")).expect("status");
        assert_eq!(s.currency, Some(Currency::Usd));
        assert!(matches!(
            order_status("O1", &doc.extra_element("CURRENCY", "949")),
            Err(ApiError::MalformedResponse(_))
        ));
        assert_eq!(s.status, TransStat::Sale);
        assert_eq!(s.charge_type, Some(ChargeType::Sale));
    }

    #[test]
    fn unknown_order_is_not_found() {
        let doc = Cc5Document::new("CC5Response")
            .element("Response", "Error")
            .element("ProcReturnCode", "99")
            .element("ErrMsg", "No record found for X1");
        assert_eq!(
            order_status("X1", &doc),
            Err(ApiError::NotFound("X1".into()))
        );
    }

    #[test]
    fn reads_history_and_errors() {
        let doc = ok_doc()
            .extra_element("TRXCOUNT", "2")
            .extra_element(
                "TRX1",
                "S\tS\t1250\t1250\t20261124 10:00:00\t\t\tH1\tA1\t00\tT1",
            )
            .extra_element(
                "TRX2",
                "C\tS\t500\t500\t20261124 11:00:00\t\t\tH2\tA2\t00\tT2",
            );
        let h =
            order_history("O1", &doc.clone().extra_element("CURRENCY", "978")).expect("history");
        assert_eq!(h.currency, Some(Currency::Eur));
        assert_eq!(h.transactions.len(), 2);
        assert_eq!(h.refunded_minor(), 500);

        let bad = ok_doc()
            .extra_element("TRXCOUNT", "1")
            .extra_element("TRX1", "S\tS");
        assert!(matches!(
            order_history("O1", &bad),
            Err(ApiError::MalformedResponse(_))
        ));

        let declined = Cc5Document::new("CC5Response")
            .element("Response", "Error")
            .element("ProcReturnCode", "99")
            .element("ErrMsg", "nothing to void")
            .extra_element("ERRORCODE", "CORE-2008");
        match financial(Operation::Void, "O1", &declined) {
            Err(ApiError::Declined(d)) => {
                assert_eq!(d.error_code, Some(ErrorCode::NothingVoidable))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_documents_never_panic(
            elements in proptest::collection::vec((prop_oneof![
                Just("Response".to_string()), Just("ProcReturnCode".to_string()), Just("ErrMsg".to_string()), "[A-Za-z]{1,6}"
            ], "\\PC{0,16}"), 0..6),
            extra in proptest::collection::vec((prop_oneof![
                Just("TRXCOUNT".to_string()), Just("TRX1".to_string()), Just("RECURRINGCOUNT".to_string()),
                Just("ORD_ID_1".to_string()), Just("TRANS_STAT_1".to_string()), Just("CAPTURE_AMT_1".to_string()),
                Just("TRANS_STAT".to_string()), Just("CAPTURE_AMT".to_string()), "[A-Z_0-9]{1,8}"
            ], "[\\PC\t]{0,40}"), 0..10),
        ) {
            let doc = Cc5Document { root: "CC5Response".into(), elements, extra };
            let _ = financial(Operation::Credit, "O", &doc);
            let _ = order_status("O", &doc);
            let _ = order_history("O", &doc);
            let _ = recurring_status("R", &doc);
            let _ = approved("R", &doc);
        }
    }
}
