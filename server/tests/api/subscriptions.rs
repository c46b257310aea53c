//! `/v1/plans` and `/v1/subscriptions`: a plan made by a key, a buyer signing up through a
//! checkout session made with it, the subscription read and cancelled, and every one of
//! them kept to its merchant, mode and permission.

use std::collections::BTreeMap;

use super::support::checkout::{APPROVE, field, merchant};
use payten_sandbox::buyer::forms;
use platform::api::keys::{Access, Permissions, Resource};
use serde_json::json;

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_plan_signs_buyers_up_and_its_subscriptions_are_read_and_cancelled(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();

    for (body, param) in [
        (
            json!({"name": "Box", "unit_amount": 990, "interval": "fortnight", "installments": 3}),
            "interval",
        ),
        (
            json!({"name": "Box", "unit_amount": 990, "interval": "month", "installments": 122}),
            "installments",
        ),
        (
            json!({"name": "Box", "unit_amount": 0, "interval": "month", "installments": 3}),
            "unit_amount",
        ),
        (
            json!({"name": "Box", "unit_amount": 990, "interval": "month"}),
            "installments",
        ),
        (
            json!({"name": "Box", "unit_amount": 990, "interval": "month", "installments": 12, "until_cancelled": true}),
            "installments",
        ),
    ] {
        let refused = api.post("/v1/plans", body).await;
        assert_error_shape(&refused, 400, "parameter_invalid");
        assert_eq!(refused.body["error"]["param"], param);
    }
    assert_eq!(shop.count("subscription_plans").await, 0);

    let plan = api
        .post(
            "/v1/plans",
            json!({"name": "Coffee of the month", "unit_amount": 990, "interval": "month", "installments": 3}),
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert_eq!(plan.body["object"], "plan");
    assert_eq!(plan.body["interval_count"], 1);
    let plan_id = plan.id();
    assert!(plan_id.starts_with("plan_"));
    assert_eq!(
        shop.live()
            .get(&format!("/v1/plans/{plan_id}"))
            .await
            .status,
        404,
        "a Test plan is not found with a Live key"
    );

    let checkout = api
        .post("/v1/checkout_sessions", json!({"plan": plan_id}))
        .await;
    assert_eq!(checkout.status, 200, "{}", checkout.body);
    assert_eq!(checkout.body["amount_total"], 990);
    let both = api
        .post(
            "/v1/checkout_sessions",
            json!({"plan": plan_id, "line_items": [{"name": "Mug", "unit_amount": 500}]}),
        )
        .await;
    assert_error_shape(&both, 400, "parameter_invalid");

    // A payment link for the plan signs up each buyer who opens it; a plan with a product
    // is one thing too many.
    let link = api
        .post("/v1/payment_links", json!({"plan": plan_id}))
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    assert_eq!(
        (link.body["plan"].as_str(), link.body["amount"].as_i64()),
        (Some(plan_id.as_str()), Some(990))
    );
    assert_error_shape(
        &api.post(
            "/v1/payment_links",
            json!({"plan": plan_id, "title": "Box", "amount": 990}),
        )
        .await,
        400,
        "parameter_invalid",
    );

    // The buyer agrees and pays on the checkout's page.
    let url = checkout.body["url"].as_str().unwrap();
    let page = shop
        .shop
        .http
        .post(url)
        .form(&[("email", "buyer@example.com"), ("consent", "yes")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let gate = forms(&page)
        .into_iter()
        .next()
        .expect("the form to the gateway");
    let order_id = field(&gate, "oid").to_owned();
    let returns = shop.shop.pay_at_gateway(&gate, APPROVE).await;
    shop.shop.deliver(&returns[0]).await;
    assert_eq!(shop.shop.settled(&order_id).await, "paid");

    let listed = api.get("/v1/subscriptions?status=active").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let subscription = &listed.body["data"][0];
    assert_eq!(subscription["object"], "subscription");
    assert_eq!(subscription["plan"], plan_id.as_str());
    assert_eq!(subscription["paid_installments"], 1);
    assert_eq!(subscription["customer_email"], "buyer@example.com");
    assert!(
        subscription["first_payment"]
            .as_str()
            .unwrap()
            .starts_with("pay_")
    );
    let id = subscription["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("sub_"));
    assert_error_shape(
        &api.get("/v1/subscriptions?status=paused").await,
        400,
        "parameter_invalid",
    );

    // Another merchant's key, the other mode's and a key without this resource reach
    // nothing, and cancel nothing.
    let (_, other) = merchant(shop.pool(), "Prizren Leather", true).await;
    let other = shop.api(&key(&shop.shop, &other, Mode::Test, Permissions::Full).await);
    let checkouts_only = Permissions::Restricted(BTreeMap::from([(
        Resource::CheckoutSessions,
        Access::Write,
    )]));
    let narrow = shop.api(&key(&shop.shop, &shop.shop.scope, Mode::Test, checkouts_only).await);
    let cancel = format!("/v1/subscriptions/{id}/cancel");
    assert_error_shape(
        &other.post(&cancel, json!({})).await,
        404,
        "resource_missing",
    );
    assert_error_shape(
        &shop.live().post(&cancel, json!({})).await,
        404,
        "resource_missing",
    );
    assert_error_shape(
        &narrow.post(&cancel, json!({})).await,
        403,
        "permission_denied",
    );
    assert_error_shape(
        &narrow.get(&format!("/v1/subscriptions/{id}")).await,
        403,
        "permission_denied",
    );
    assert_eq!(
        api.get(&format!("/v1/subscriptions/{id}")).await.body["status"],
        "active"
    );

    // Ending with the period, and kept after all; another merchant's key changes nothing.
    let update = format!("/v1/subscriptions/{id}");
    assert_error_shape(
        &other
            .post(&update, json!({"cancel_at_period_end": true}))
            .await,
        404,
        "resource_missing",
    );
    assert_error_shape(
        &api.post(&update, json!({"cancel_at_period_end": "soon"}))
            .await,
        400,
        "body_invalid",
    );
    let ending = api
        .post(&update, json!({"cancel_at_period_end": true}))
        .await;
    assert_eq!(ending.status, 200, "{}", ending.body);
    assert_eq!(
        (
            ending.body["status"].as_str(),
            ending.body["cancel_at_period_end"].as_bool()
        ),
        (Some("active"), Some(true))
    );
    assert!(ending.body["cancel_at"].is_string());
    let kept = api
        .post(&update, json!({"cancel_at_period_end": false}))
        .await;
    assert_eq!(kept.body["cancel_at_period_end"], false);
    assert_eq!(kept.body["cancel_at"], serde_json::Value::Null);
    assert_eq!(
        shop.audited("subscription.cancel_at_period_end").await,
        [("api_key".to_owned(), "success".to_owned())]
    );

    let cancelled = api.post(&cancel, json!({})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(cancelled.body["cancelled_at"].is_string());
    assert_eq!(cancelled.body["next_charge_at"], serde_json::Value::Null);
    assert_error_shape(
        &api.post(&cancel, json!({})).await,
        409,
        "subscription_not_running",
    );
    assert_eq!(
        shop.audited("subscription.cancel").await,
        [("api_key".to_owned(), "success".to_owned())]
    );

    // The merchant's webhooks heard each change, with the subscription as the API shows it.
    let events: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT type, data FROM events WHERE object_id = $1 ORDER BY seq")
            .bind(&id)
            .fetch_all(shop.pool())
            .await
            .unwrap();
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "subscription.created",
            "subscription.updated",
            "subscription.updated",
            "subscription.ended"
        ]
    );
    assert_eq!(events[1].1["cancel_at_period_end"], true);
    assert_eq!(events[2].1["cancel_at_period_end"], false);
    assert_eq!(events[3].1["status"], "cancelled");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_until_cancelled_plan_and_the_dunning_schedule_per_mode(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();

    let plan = api
        .post(
            "/v1/plans",
            json!({"name": "Licence", "unit_amount": 4900, "interval": "year", "until_cancelled": true}),
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert_eq!(
        (
            plan.body["until_cancelled"].as_bool(),
            plan.body["installments"].as_i64()
        ),
        (Some(true), Some(121)),
        "each series holds the most the gateway takes"
    );

    let schedule = api.get("/v1/dunning_schedule").await;
    assert_eq!(schedule.status, 200, "{}", schedule.body);
    assert_eq!(
        (
            schedule.body["max_declines"].as_i64(),
            schedule.body["grace_days"].as_i64(),
            schedule.body["livemode"].as_bool()
        ),
        (Some(3), Some(14), Some(false))
    );
    for (body, param) in [
        (json!({"max_declines": 0, "grace_days": 14}), "max_declines"),
        (json!({"max_declines": 3, "grace_days": 61}), "grace_days"),
    ] {
        let refused = api.post("/v1/dunning_schedule", body).await;
        assert_error_shape(&refused, 400, "parameter_invalid");
        assert_eq!(refused.body["error"]["param"], param);
    }
    let read_only =
        Permissions::Restricted(BTreeMap::from([(Resource::Subscriptions, Access::Read)]));
    let reader = shop.api(&key(&shop.shop, &shop.shop.scope, Mode::Test, read_only).await);
    assert_eq!(reader.get("/v1/dunning_schedule").await.status, 200);
    assert_error_shape(
        &reader
            .post(
                "/v1/dunning_schedule",
                json!({"max_declines": 1, "grace_days": 1}),
            )
            .await,
        403,
        "permission_denied",
    );

    let set = api
        .post(
            "/v1/dunning_schedule",
            json!({"max_declines": 5, "grace_days": 7}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        (
            set.body["max_declines"].as_i64(),
            set.body["grace_days"].as_i64()
        ),
        (Some(5), Some(7))
    );
    assert_eq!(
        api.get("/v1/dunning_schedule").await.body["max_declines"],
        5
    );
    let live = shop.live().get("/v1/dunning_schedule").await;
    assert_eq!(
        (
            live.body["max_declines"].as_i64(),
            live.body["livemode"].as_bool()
        ),
        (Some(3), Some(true)),
        "a Test key leaves Live Mode's schedule alone"
    );
    assert_eq!(
        shop.audited("subscription.dunning_schedule").await,
        [("api_key".to_owned(), "success".to_owned())]
    );
}
