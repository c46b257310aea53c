//! The `payten` client against the sandbox over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use payten::api::ChargeType;
use payten::{
    ApiError, Currency, ErrorCode, FrequencyUnit, MdStatus, Money, NestPay, Operation,
    PaymentGateway as _, ProcReturnCode, Recurring, ResponseStatus, ReturnError, Timeouts,
    TransStat,
};
use payten_sandbox::cards::{CardOutcome, TEST_CARDS};

fn eur(minor: u64) -> Money {
    Money::new(minor, Currency::Eur)
}

fn card_for(outcome: CardOutcome) -> &'static str {
    TEST_CARDS
        .iter()
        .find(|c| c.outcome == outcome)
        .map(|c| c.number)
        .expect("test card")
}

/// Pays with an approving card and checks the return; gives the verified return.
async fn approved_payment(
    gw: &NestPay,
    browser: &Browser,
    merchant: &mut Merchant,
    oid: &str,
    minor: u64,
) -> payten::GatewayReturn {
    let forms = browser
        .pay(gw, &request(merchant, oid, minor), APPROVE_MC, "a")
        .await;
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].action, format!("{}/ok", merchant.base));
    gw.verify_return(forms[0].fields.clone())
        .expect("verified return")
}

#[tokio::test]
async fn approved_payment_return_callback_and_status() {
    let Rig {
        sb: _sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("OK");

    let forms = browser
        .pay(&gw, &request(&merchant, &oid, 1250), APPROVE_VISA, "a")
        .await;
    assert_eq!(forms[0].method, "post");
    browser.submit(&forms[0]).await;
    let r = gw.verify_return(forms[0].fields.clone()).expect("verified");
    assert!(r.is_paid());
    assert!(!r.callback_call);
    assert_eq!(r.oid, oid);
    assert_eq!(r.amount, eur(1250));
    assert_eq!(r.md_status, Some(MdStatus::FullyAuthenticated));
    assert_eq!(
        r.masked_pan.as_ref().map(|p| p.as_str()),
        Some("435508***4358")
    );
    assert_eq!(r.card_brand.as_deref(), Some("VISA"));
    assert!(r.auth_code.is_some() && r.host_ref_num.is_some() && r.trans_id.is_some());

    // Both the browser return and the server callback reach the merchant.
    let mut kinds = [merchant.next().await, merchant.next().await];
    kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
    assert_eq!(kinds[0].kind, "cb");
    assert_eq!(kinds[1].kind, "ok");
    let cb = gw
        .verify_return(kinds[0].fields.clone())
        .expect("callback verifies");
    assert!(cb.callback_call && cb.is_paid());
    assert_eq!(cb.trans_id, r.trans_id);

    let status = gw.order_status(&oid).await.expect("status");
    assert_eq!(status.status, TransStat::Sale);
    assert_eq!(status.captured_amount_minor, Some(1250));
    assert_eq!(status.charge_type, Some(ChargeType::Sale));
    assert_eq!(
        status.masked_pan.as_ref().map(|p| p.as_str()),
        Some("435508***4358")
    );
}

#[tokio::test]
async fn each_decline_code() {
    let Rig {
        sb: _sb,
        merchant,
        gw,
        browser,
    } = rig().await;
    for (code, expected) in [
        ("05", ProcReturnCode::NotApproved),
        ("12", ProcReturnCode::InvalidTransaction),
        ("51", ProcReturnCode::InsufficientFunds),
        ("54", ProcReturnCode::ExpiredCard),
        ("57", ProcReturnCode::NotPermitted),
        ("62", ProcReturnCode::RestrictedCard),
    ] {
        let oid = fresh_oid("DC");
        let forms = browser
            .pay(
                &gw,
                &request(&merchant, &oid, 999),
                card_for(CardOutcome::Decline(code)),
                "a",
            )
            .await;
        assert_eq!(
            forms[0].action,
            format!("{}/fail", merchant.base),
            "code {code}"
        );
        let r = gw.verify_return(forms[0].fields.clone()).expect("verified");
        assert!(!r.is_paid());
        assert_eq!(r.response, ResponseStatus::Declined);
        assert_eq!(r.proc_return_code, Some(expected));
        assert_eq!(r.md_status, Some(MdStatus::FullyAuthenticated));
        assert_eq!(
            gw.order_status(&oid).await.expect("status").status,
            TransStat::Declined
        );
    }
}

#[tokio::test]
async fn failed_3ds_wrong_password_and_gateway_error() {
    let Rig {
        sb: _sb,
        merchant,
        gw,
        browser,
    } = rig().await;

    for (card, password) in [(card_for(CardOutcome::Fail3ds), "a"), (APPROVE_MC, "wrong")] {
        let forms = browser
            .pay(
                &gw,
                &request(&merchant, &fresh_oid("3D"), 500),
                card,
                password,
            )
            .await;
        assert_eq!(forms[0].action, format!("{}/fail", merchant.base));
        let r = gw.verify_return(forms[0].fields.clone()).expect("verified");
        assert!(!r.is_paid());
        assert_eq!(r.md_status, Some(MdStatus::Failed));
        assert_eq!(r.response, ResponseStatus::Declined);
        assert_eq!(r.proc_return_code, None);
    }

    let forms = browser
        .pay(
            &gw,
            &request(&merchant, &fresh_oid("ER"), 500),
            card_for(CardOutcome::GatewayError),
            "a",
        )
        .await;
    let r = gw.verify_return(forms[0].fields.clone()).expect("verified");
    assert_eq!(r.response, ResponseStatus::Error);
    assert_eq!(r.proc_return_code, Some(ProcReturnCode::GatewayError));
    assert!(r.err_msg.is_some());
    assert!(!r.is_paid());
}

#[tokio::test]
async fn gate_refuses_bad_hash_and_unknown_client() {
    let Rig {
        sb: _sb,
        merchant,
        gw,
        browser,
    } = rig().await;
    let form = gw
        .hosted_form(&request(&merchant, &fresh_oid("GH"), 100))
        .expect("form");

    let mut tampered = form.fields.clone();
    for (n, v) in tampered.iter_mut() {
        if n == "amount" {
            *v = "0.01".into();
        }
    }
    let page = browser.post(&form.action, &tampered).await;
    assert!(page.contains("mdStatus: 7"), "{page}");
    assert!(forms(&page).is_empty());

    let mut stranger = form.fields.clone();
    for (n, v) in stranger.iter_mut() {
        if n == "clientid" {
            *v = "999999999".into();
        }
    }
    let page = browser.post(&form.action, &stranger).await;
    assert!(page.contains("mdStatus: 7"));
    assert!(forms(&page).is_empty());
}

#[tokio::test]
async fn card_page_validates_without_echoing_card_data() {
    let Rig {
        sb: _sb,
        merchant,
        gw,
        browser,
    } = rig().await;
    let form = gw
        .hosted_form(&request(&merchant, &fresh_oid("CV"), 100))
        .expect("form");
    let page = browser.post(&form.action, &form.fields).await;
    let card_form = forms(&page).into_iter().next().expect("card form");

    let bad_luhn = "5571135571135576";
    let page = browser
        .post_pairs(
            &card_form.action,
            &[
                ("pan", bad_luhn),
                ("expiry", "01/20"),
                ("cvv", "98"),
                ("cardholder", "A <b>"),
            ],
        )
        .await;
    assert!(page.contains("card number is not valid"));
    assert!(page.contains("expiry date"));
    assert!(page.contains("CVV"));
    assert!(!page.contains(bad_luhn));
    assert!(!page.contains("\"98\""));
    assert!(page.contains("A &lt;b&gt;"));

    // The same session still takes a valid card.
    let page = browser
        .post_pairs(
            &card_form.action,
            &[
                ("pan", APPROVE_MC),
                ("expiry", EXPIRY),
                ("cvv", "1234"),
                ("cardholder", "A"),
            ],
        )
        .await;
    assert!(page.contains("557113***5575"));
    assert!(!page.contains(APPROVE_MC));
}

#[tokio::test]
async fn refunds_partial_full_and_beyond_the_net() {
    let Rig {
        sb: _sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("RF");
    assert!(
        approved_payment(&gw, &browser, &mut merchant, &oid, 1250)
            .await
            .is_paid()
    );

    gw.credit(&oid, eur(500)).await.expect("partial refund");
    match gw.credit(&oid, eur(800)).await {
        Err(ApiError::Declined(d)) => {
            assert_eq!(d.error_code, Some(ErrorCode::RefundExceedsRemaining))
        }
        other => panic!("expected 215021, got {other:?}"),
    }
    gw.credit(&oid, eur(750)).await.expect("rest refunded");
    match gw.credit(&oid, eur(1)).await {
        Err(ApiError::Declined(d)) => {
            assert_eq!(d.error_code, Some(ErrorCode::RefundExceedsRemaining))
        }
        other => panic!("expected 215021, got {other:?}"),
    }
    let history = gw.order_history(&oid).await.expect("history");
    assert_eq!(history.transactions.len(), 3);
    assert_eq!(history.refunded_minor(), 1250);
    assert_eq!(history.transactions[0].charge_type, ChargeType::Sale);
}

#[tokio::test]
async fn void_then_void_again() {
    let Rig {
        sb: _sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("VD");
    approved_payment(&gw, &browser, &mut merchant, &oid, 700).await;

    gw.void(&oid).await.expect("void");
    assert_eq!(
        gw.order_status(&oid).await.expect("status").status,
        TransStat::Voided
    );
    match gw.void(&oid).await {
        Err(ApiError::Declined(d)) => assert_eq!(d.error_code, Some(ErrorCode::NothingVoidable)),
        other => panic!("expected CORE-2008, got {other:?}"),
    }
}

#[tokio::test]
async fn preauth_then_postauth() {
    let Rig {
        sb: _sb,
        merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("PA");
    let mut req = request(&merchant, &oid, 2000);
    req.tran_type = payten::TranType::PreAuth;
    let forms = browser.pay(&gw, &req, APPROVE_MC, "a").await;
    assert!(
        gw.verify_return(forms[0].fields.clone())
            .expect("verified")
            .is_paid()
    );
    assert_eq!(
        gw.order_status(&oid).await.expect("status").status,
        TransStat::Authorised
    );
    gw.post_auth(&oid, eur(1500)).await.expect("capture");
    let status = gw.order_status(&oid).await.expect("status");
    assert_eq!(status.status, TransStat::Captured);
    assert_eq!(status.captured_amount_minor, Some(1500));
}

#[tokio::test]
async fn unknown_order_is_not_found() {
    let sb = sandbox().await;
    let gw = gateway(&sb, Timeouts::default());
    assert_eq!(
        gw.order_status("NO-SUCH-ORDER").await,
        Err(ApiError::NotFound("NO-SUCH-ORDER".into()))
    );
    assert_eq!(
        gw.order_history("NO-SUCH-ORDER").await,
        Err(ApiError::NotFound("NO-SUCH-ORDER".into()))
    );
    assert!(matches!(
        gw.credit("NO-SUCH-ORDER", eur(1)).await,
        Err(ApiError::NotFound(_))
    ));
}

#[tokio::test]
async fn wrong_api_password_is_refused() {
    let sb = sandbox().await;
    let mut creds = credentials();
    creds.api_password = secrecy::SecretString::from("not-the-password");
    let gw = NestPay::new(
        payten::GatewayEndpoints::from_base(&sb.base_url()),
        creds,
        Timeouts::default(),
    )
    .expect("client");
    match gw.order_status("X").await {
        Err(ApiError::Declined(d)) => {
            assert_eq!(d.proc_return_code, Some(ProcReturnCode::GatewayError))
        }
        other => panic!("expected refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn api_accepts_raw_xml_body() {
    let sb = sandbox().await;
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CC5Request><Name>{}</Name><Password>{}</Password>\
         <ClientId>{}</ClientId><OrderId>RAW-1</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra></CC5Request>",
        payten_sandbox::config::DEV_API_USER,
        payten_sandbox::config::DEV_API_PASSWORD,
        payten_sandbox::config::DEV_CLIENT_ID,
    );
    let body = reqwest::Client::new()
        .post(format!("{}/fim/api", sb.base_url()))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .expect("post")
        .bytes()
        .await
        .expect("body");
    assert!(
        body.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>")
            || body.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    let doc = payten::cc5::Cc5Document::parse(&body).expect("CC5 answer");
    assert_eq!(doc.get("ErrMsg"), Some("No record found for RAW-1"));
}

#[tokio::test]
async fn recurring_series_three_installments_then_cancel() {
    let Rig {
        sb,
        merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("RC");
    let req = with_recurring(
        request(&merchant, &oid, 990),
        Recurring {
            payments: 5,
            unit: FrequencyUnit::Month,
            frequency: 1,
        },
    );
    let forms = browser.pay(&gw, &req, APPROVE_MC, "a").await;
    let first = gw.verify_return(forms[0].fields.clone()).expect("verified");
    assert!(first.is_paid());
    let rid = first.recurring_id.clone().expect("EXTRA.RECURRINGID");

    // Two months later the second and third installments have been charged
    // (at most 62 days make two months).
    advance_days(&sb, 62).await;
    let series = gw.recurring_status(&rid).await.expect("series");
    assert_eq!(series.count, 5);
    let stats: Vec<TransStat> = series
        .installments
        .iter()
        .map(|i| i.status.clone())
        .collect();
    assert_eq!(
        stats,
        [
            TransStat::Sale,
            TransStat::Sale,
            TransStat::Sale,
            TransStat::Pending,
            TransStat::Pending
        ]
    );
    assert_eq!(series.installments[2].order_id, format!("{oid}-3"));
    assert_eq!(series.installments[1].captured_amount_minor, 990);
    assert_eq!(
        gw.order_status(&format!("{oid}-3"))
            .await
            .expect("installment")
            .captured_amount_minor,
        Some(990)
    );

    gw.cancel_recurring(&rid).await.expect("cancel");
    advance_days(&sb, 120).await;
    let series = gw.recurring_status(&rid).await.expect("series");
    let stats: Vec<TransStat> = series
        .installments
        .iter()
        .map(|i| i.status.clone())
        .collect();
    assert_eq!(
        stats,
        [
            TransStat::Sale,
            TransStat::Sale,
            TransStat::Sale,
            TransStat::Cancelled,
            TransStat::Cancelled
        ]
    );
    assert_eq!(
        gw.order_status(&format!("{oid}-4")).await,
        Err(ApiError::NotFound(format!("{oid}-4")))
    );
}

#[tokio::test]
async fn fault_server_error() {
    let Rig {
        sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("F5");
    approved_payment(&gw, &browser, &mut merchant, &oid, 1000).await;

    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "api_server_error" }),
    )
    .await;
    assert_eq!(gw.order_status(&oid).await, Err(ApiError::HttpStatus(503)));
    assert!(
        gw.order_status(&oid).await.is_ok(),
        "one-shot fault is spent"
    );

    // On a refund a 5xx leaves the outcome unknown; history tells the truth.
    set_fault(&sb, serde_json::json!({ "client_id": payten_sandbox::config::DEV_CLIENT_ID, "kind": "api_server_error", "status": 502 })).await;
    match gw.credit(&oid, eur(100)).await {
        Err(ApiError::OutcomeUnknown {
            operation: Operation::Credit,
            ..
        }) => {}
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert_eq!(
        gw.order_history(&oid)
            .await
            .expect("history")
            .refunded_minor(),
        0
    );
}

#[tokio::test]
async fn fault_timeout_on_credit_and_void_is_outcome_unknown() {
    let sb = sandbox().await;
    let mut merchant = merchant().await;
    let gw = gateway(&sb, Timeouts::default());
    let impatient = gateway(
        &sb,
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_millis(300),
        },
    );
    let browser = Browser::new(&sb);
    let oid = fresh_oid("FT");
    approved_payment(&gw, &browser, &mut merchant, &oid, 1000).await;

    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "api_timeout", "hang_ms": 5000 }),
    )
    .await;
    match impatient.credit(&oid, eur(300)).await {
        Err(ApiError::OutcomeUnknown {
            operation: Operation::Credit,
            cause,
            ..
        }) => assert_eq!(cause, "timeout"),
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    // The refund did happen: a blind retry would have refunded twice.
    assert_eq!(
        gw.order_history(&oid)
            .await
            .expect("history")
            .refunded_minor(),
        300
    );

    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "api_timeout", "hang_ms": 5000 }),
    )
    .await;
    assert!(matches!(
        impatient.void(&oid).await,
        Err(ApiError::OutcomeUnknown {
            operation: Operation::Void,
            ..
        })
    ));

    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "api_timeout", "hang_ms": 5000 }),
    )
    .await;
    assert_eq!(impatient.order_status(&oid).await, Err(ApiError::Timeout));
}

#[tokio::test]
async fn fault_delay_still_answers() {
    let sb = sandbox().await;
    let gw = gateway(&sb, Timeouts::default());
    set_fault(
        &sb,
        serde_json::json!({ "order_id": "DELAYED", "kind": "delay", "ms": 50 }),
    )
    .await;
    assert_eq!(
        gw.order_status("DELAYED").await,
        Err(ApiError::NotFound("DELAYED".into()))
    );
}

#[tokio::test]
async fn fault_bad_hash_on_return_and_callback() {
    let Rig {
        sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("BH");
    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "bad_hash" }),
    )
    .await;
    let forms = browser
        .pay(&gw, &request(&merchant, &oid, 100), APPROVE_MC, "a")
        .await;
    assert_eq!(
        gw.verify_return(forms[0].fields.clone()),
        Err(ReturnError::BadHash)
    );
    let cb = merchant.next_callback().await;
    assert_eq!(gw.verify_return(cb.fields), Err(ReturnError::BadHash));
}

#[tokio::test]
async fn fault_dropped_callback() {
    let Rig {
        sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let dropped = fresh_oid("DR");
    set_fault(
        &sb,
        serde_json::json!({ "order_id": dropped, "kind": "drop_callback" }),
    )
    .await;
    let forms = browser
        .pay(&gw, &request(&merchant, &dropped, 100), APPROVE_MC, "a")
        .await;
    assert!(
        gw.verify_return(forms[0].fields.clone())
            .expect("return still arrives")
            .is_paid()
    );

    // A later payment's callback arrives; the dropped one never does.
    let later = fresh_oid("DR");
    browser
        .pay(&gw, &request(&merchant, &later, 100), APPROVE_MC, "a")
        .await;
    let cb = merchant.next_callback().await;
    let r = gw.verify_return(cb.fields).expect("callback verifies");
    assert_eq!(r.oid, later);
    // The platform settles the dropped one by querying the order status.
    assert_eq!(
        gw.order_status(&dropped).await.expect("status").status,
        TransStat::Sale
    );
}

#[tokio::test]
async fn fault_dropped_return_leaves_the_callback() {
    let Rig {
        sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("NR");
    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "drop_return" }),
    )
    .await;
    let forms = browser
        .pay(&gw, &request(&merchant, &oid, 100), APPROVE_MC, "a")
        .await;
    assert!(forms.is_empty(), "no return form");
    let cb = merchant.next_callback().await;
    let r = gw.verify_return(cb.fields).expect("callback verifies");
    assert!(r.is_paid() && r.callback_call);
    assert_eq!(r.oid, oid);
}

#[tokio::test]
async fn fault_double_return_post_then_get() {
    let Rig {
        sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("DB");
    set_fault(
        &sb,
        serde_json::json!({ "order_id": oid, "kind": "double_return" }),
    )
    .await;
    let forms = browser
        .pay(&gw, &request(&merchant, &oid, 100), APPROVE_MC, "a")
        .await;
    assert_eq!(
        forms.iter().map(|f| f.method.as_str()).collect::<Vec<_>>(),
        ["post", "get"]
    );
    for f in &forms {
        browser.submit(f).await;
    }
    let mut returns = Vec::new();
    while returns.len() < 2 {
        let r = merchant.next().await;
        if r.kind == "ok" {
            returns.push(r);
        }
    }
    assert_eq!(returns[0].method, axum::http::Method::POST);
    assert_eq!(returns[1].method, axum::http::Method::GET);
    let a = gw
        .verify_return(returns[0].fields.clone())
        .expect("POST verifies");
    let b = gw
        .verify_return(returns[1].fields.clone())
        .expect("GET verifies");
    // Same payment twice: the platform's handler must be idempotent on oid.
    assert_eq!(a, b);
    assert_eq!(a.oid, oid);
}

#[tokio::test]
async fn reused_oid_is_refused_at_the_gate() {
    let Rig {
        sb: _sb,
        mut merchant,
        gw,
        browser,
    } = rig().await;
    let oid = fresh_oid("RU");
    approved_payment(&gw, &browser, &mut merchant, &oid, 100).await;
    let form = gw
        .hosted_form(&request(&merchant, &oid, 100))
        .expect("form");
    let page = browser.post(&form.action, &form.fields).await;
    assert!(page.contains("order id already used"));
}
