//! The 3-D Secure challenge page, its verdict, and the auto-posting return to the merchant.

use super::*;

/// The verdict of a finished payment.
pub(super) struct Verdict {
    pub(super) response: &'static str,
    pub(super) proc_return_code: &'static str,
    pub(super) md_status: &'static str,
    pub(super) err_msg: &'static str,
    pub(super) md_error_msg: &'static str,
}

pub(super) fn verdict(outcome: CardOutcome, password_ok: bool) -> Verdict {
    let authenticated = password_ok && outcome != CardOutcome::Fail3ds;
    if !authenticated {
        return Verdict {
            response: "Declined",
            proc_return_code: "",
            md_status: "0",
            err_msg: "3-D Secure authentication failed",
            md_error_msg: "Not authenticated",
        };
    }
    let (response, proc_return_code, err_msg) = match outcome {
        CardOutcome::Approve => ("Approved", "00", ""),
        CardOutcome::GatewayError => ("Error", "99", "System error, please try again later"),
        CardOutcome::Decline(code) => ("Declined", code, decline_message(code)),
        CardOutcome::Fail3ds => ("Declined", "", "3-D Secure authentication failed"),
    };
    Verdict {
        response,
        proc_return_code,
        md_status: "1",
        err_msg,
        md_error_msg: "Authenticated",
    }
}

pub(super) fn decline_message(code: &str) -> &'static str {
    match code {
        "05" => "Not approved",
        "12" => "Invalid transaction",
        "51" => "Insufficient funds",
        "54" => "Expired card",
        "57" => "Transaction not permitted to cardholder",
        "62" => "Restricted card",
        _ => "Declined",
    }
}

/// `POST /fim/hosted/{id}/3ds`: decides, records, signs and sends the result.
pub async fn three_ds(
    State(state): State<Arc<SandboxState>>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let pending = {
        let mut pending = lock(&state.pending);
        match pending.get(&id) {
            Some(p) if p.card.is_some() && p.created.elapsed() < PENDING_TTL => pending.remove(&id),
            _ => None,
        }
    };
    let Some(Pending {
        request,
        card: Some(card),
        ..
    }) = pending
    else {
        return expired_page();
    };
    let password_ok = field(&form, "password") == Some(THREE_DS_PASSWORD);
    let v = verdict(card.outcome, password_ok);
    let approved = v.response == "Approved";
    let now = state.clock.now();
    let (auth_code, host_ref_num) = if approved {
        (digits(6), digits(12))
    } else {
        (String::new(), String::new())
    };
    let txn_id = trans_id();

    let retry = lock(&state.ledger).declined_only(&request.client_id, &request.oid)
        && lock(&state.faults)
            .take(FaultKind::RetryDeclined, &request.client_id, &request.oid)
            .is_some();
    let recurring_id = {
        let mut ledger = lock(&state.ledger);
        if ledger.contains(&request.client_id, &request.oid) && !retry {
            return request_error("order id already used; use a fresh oid per attempt");
        }
        ledger.record_payment(
            NewPayment {
                client_id: request.client_id.clone(),
                oid: request.oid.clone(),
                tran_type: request.tran_type,
                // Parsed from the form's decimal, which has no sign.
                amount_minor: request.amount.minor().unsigned_abs(),
                currency: request.amount.currency(),
                masked_pan: card.masked_pan.clone(),
                brand: card.brand,
                approved,
                proc_return_code: v.proc_return_code.into(),
                auth_code: auth_code.clone(),
                host_ref_num: host_ref_num.clone(),
                trans_id: txn_id.clone(),
            },
            request.schedule,
            now,
        )
    };
    tracing::info!(
        client_id = request.client_id,
        oid = request.oid,
        response = v.response,
        proc_return_code = v.proc_return_code,
        md_status = v.md_status,
        "payment finished"
    );

    let mut fields = request.fields.clone();
    let authenticated = v.md_status == "1";
    let random_b64 = || {
        let bytes: [u8; 20] = rand::thread_rng().r#gen();
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
    };
    let digits_only: String = card
        .masked_pan
        .as_str()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let spaced = format!(
        "{} {}** **** {}",
        digits_only.get(..4).unwrap_or_default(),
        digits_only.get(4..6).unwrap_or_default(),
        digits_only.get(6..).unwrap_or_default()
    );
    let eci = match (authenticated, card.brand) {
        (false, _) => "",
        (true, "VISA") => "05",
        (true, _) => "02",
    };
    let extra: Vec<(&str, String)> = vec![
        ("ReturnOid", request.oid.clone()),
        ("Response", v.response.into()),
        ("ProcReturnCode", v.proc_return_code.into()),
        ("ErrMsg", v.err_msg.into()),
        ("AuthCode", auth_code),
        ("HostRefNum", host_ref_num),
        ("TransId", txn_id),
        ("mdStatus", v.md_status.into()),
        ("mdErrorMsg", v.md_error_msg.into()),
        ("eci", eci.into()),
        (
            "cavv",
            if authenticated {
                random_b64()
            } else {
                String::new()
            },
        ),
        ("xid", random_b64()),
        ("md", random_b64()),
        ("MaskedPan", card.masked_pan.as_str().to_owned()),
        ("maskedCreditCard", spaced),
        ("EXTRA_TRXDATE", gateway_time(now)),
        ("EXTRA_CARDBRAND", card.brand.into()),
        ("EXTRA_CARDISSUER", "SALEONIX SANDBOX BANK".into()),
        ("SettleId", String::new()),
        ("clientIp", peer.ip().to_string()),
    ];
    fields.extend(extra.into_iter().map(|(n, v)| (n.to_owned(), v)));
    if let Some(rid) = recurring_id {
        fields.push(("EXTRA.RECURRINGID".into(), rid));
    }

    let Some(store) = state.config.store(&request.client_id) else {
        return request_error("store configuration changed during the payment");
    };
    let (bad_hash, drop_callback, drop_return, double_return) = {
        let mut faults = lock(&state.faults);
        let mut take = |k| faults.take(k, &request.client_id, &request.oid).is_some();
        (
            take(FaultKind::BadHash),
            take(FaultKind::DropCallback),
            take(FaultKind::DropReturn),
            take(FaultKind::DoubleReturn),
        )
    };
    // A bad-hash fault signs with a key the merchant does not have.
    let key = if bad_hash {
        format!("{}-WRONG", store.store_key)
    } else {
        store.store_key.clone()
    };

    if let Some(url) = request.callback_url.clone() {
        if drop_callback {
            tracing::info!(oid = request.oid, "fault: callback dropped");
        } else {
            let mut cb = fields.clone();
            cb.push(("callbackCall".into(), "true".into()));
            let hash = ver3_hash(&cb, &key);
            cb.push(("HASH".into(), hash));
            spawn_callback(
                state.clone(),
                url,
                cb,
                request.client_id.clone(),
                request.oid.clone(),
            );
        }
    }

    let hash = ver3_hash(&fields, &key);
    fields.push(("HASH".into(), hash));
    let target = if approved {
        &request.ok_url
    } else {
        &request.fail_url
    };
    if drop_return {
        tracing::info!(oid = request.oid, "fault: browser return dropped");
        return sandbox_page(
            "Payment processed",
            "<h1>Payment processed</h1><p>You may close this window.</p>".into(),
        )
        .into_response();
    }
    return_page(target, &fields, double_return).into_response()
}

/// The auto-posting page that sends the buyer back with the signed result: a
/// script allowed by the CSP nonce, and a button for browsers without scripts.
/// With `twice`, it posts into a hidden frame and then sends a GET, as some
/// installations do.
pub(super) fn return_page(target: &str, fields: &[(String, String)], twice: bool) -> Page {
    let origin = reqwest::Url::parse(target)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let n = nonce();
    let inputs = hidden_inputs(fields);
    let body = if twice {
        format!(
            "<iframe name=\"dup\" hidden></iframe>\
             <form id=\"r1\" method=\"post\" action=\"{t}\" target=\"dup\">{inputs}</form>\
             <form id=\"r2\" method=\"get\" action=\"{t}\">{inputs}\
             <noscript><button type=\"submit\">Continue</button></noscript></form>\
             <script nonce=\"{n}\">document.getElementById('r1').submit();\
             setTimeout(function(){{document.getElementById('r2').submit();}},300);</script>",
            t = escape(target),
        )
    } else {
        format!(
            "<form id=\"r1\" method=\"post\" action=\"{t}\">{inputs}\
             <noscript><button type=\"submit\">Continue</button></noscript></form>\
             <script nonce=\"{n}\">document.getElementById('r1').submit();</script>",
            t = escape(target),
        )
    };
    Page {
        lang: "en",
        title: "Returning to the merchant".into(),
        body,
        nonce: n,
        form_action: origin,
    }
}
