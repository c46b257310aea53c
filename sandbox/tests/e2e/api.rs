//! The order API: refunds, voids, pre- and post-authorisation, lookups and recurring series.

use super::*;

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
