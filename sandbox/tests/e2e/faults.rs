//! Injected faults: server errors, timeouts, delays, bad hashes, lost or doubled messages.

use super::*;

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
