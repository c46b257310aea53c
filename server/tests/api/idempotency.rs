//! `Idempotency-Key`: a repeat gets the first answer and acts no more; another request
//! under the same key is refused; repeats racing the first make one object.

use platform::api::keys::Permissions;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;

use super::{api_shop, assert_error_shape, key, one_line};

#[sqlx::test(migrations = "../migrations")]
async fn a_repeat_gets_the_first_answer_and_another_body_is_refused(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();
    let first = api
        .post_with_key("/v1/checkout_sessions", "order-1042", one_line(1200))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = api
        .post_with_key("/v1/checkout_sessions", "order-1042", one_line(1200))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(shop.count("checkout_sessions").await, 1);

    let other = api
        .post_with_key("/v1/checkout_sessions", "order-1042", one_line(1300))
        .await;
    assert_error_shape(&other, 422, "idempotency_key_reused");
    assert_eq!(other.body["error"]["type"], "idempotency_error");

    // A refusal is an answer too: repeated, it is the same refusal, and nothing is made.
    let refused = api
        .post_with_key("/v1/checkout_sessions", "bad-1", one_line(0))
        .await;
    let repeated = api
        .post_with_key("/v1/checkout_sessions", "bad-1", one_line(0))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(repeated.body, refused.body);
    assert_eq!(repeated.header("idempotent-replayed"), Some("true"));

    // Keys are per API key: another key (here of the other mode) acts afresh.
    let live = shop
        .live()
        .post_with_key("/v1/checkout_sessions", "order-1042", one_line(1200))
        .await;
    assert_eq!(live.status, 200);
    assert_ne!(live.id(), first.id());
    assert_eq!(live.header("idempotent-replayed"), None);
    assert_eq!(shop.count("checkout_sessions").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_repeats_make_one_checkout(pool: PgPool) {
    let shop = api_shop(pool).await;
    let second_key = key(&shop.shop, &shop.shop.scope, Mode::Test, Permissions::Full).await;
    let mut racers = Vec::new();
    for i in 0..12 {
        // Two API keys racing with the same idempotency key: one object each.
        let api = if i % 2 == 0 {
            shop.test()
        } else {
            shop.api(&second_key)
        };
        racers.push(tokio::spawn(async move {
            api.post_with_key("/v1/checkout_sessions", "race", one_line(900))
                .await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for racer in racers {
        let answer = racer.await.unwrap();
        match answer.status {
            200 => {
                ids.insert(answer.id());
            }
            409 => assert_eq!(answer.code(), "idempotency_key_in_use"),
            status => panic!("unexpected {status}: {}", answer.body),
        }
    }
    assert_eq!(shop.count("checkout_sessions").await, 2);
    assert!(ids.len() <= 2 && !ids.is_empty(), "{ids:?}");
    // Once the first has answered, every repeat gets it.
    let settled = shop
        .test()
        .post_with_key("/v1/checkout_sessions", "race", one_line(900))
        .await;
    assert_eq!(settled.header("idempotent-replayed"), Some("true"));
}
