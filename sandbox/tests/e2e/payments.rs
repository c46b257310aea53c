//! Paying through the gate and the card page: approvals, declines, 3-D Secure and validation.

use super::*;

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
