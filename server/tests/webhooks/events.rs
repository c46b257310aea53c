use domain::public_id::{Kind, encode};
use domain::{EventType, MerchantId, Mode};
use platform::events::{self, Filter, ListError};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::support::checkout::merchant;
use crate::world::world;

#[sqlx::test(migrations = "../migrations")]
async fn an_event_and_its_deliveries_exist_only_if_the_change_commits(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(None).await;
    let mut tx = w.platform().pool.begin().await.unwrap();
    events::record(
        &mut tx,
        MerchantId::from_uuid(w.merchant_id),
        Mode::Test,
        EventType::PaymentSucceeded,
        "pay_1",
        serde_json::json!({ "id": "pay_1" }),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&w.platform().pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(w.deliveries(created.endpoint.id).await.is_empty());
    assert_eq!(w.deliver(OffsetDateTime::now_utc()).await.attempted, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn deliveries_follow_each_endpoints_types_and_mode(pool: PgPool) {
    let w = world(pool).await;
    let refunds = w
        .endpoint(Some(vec![
            EventType::RefundSucceeded,
            EventType::RefundFailed,
        ]))
        .await;
    let all = w.endpoint(None).await;
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    w.event(EventType::RefundFailed, "re_1").await;
    w.event_in(Mode::Live, EventType::RefundFailed, "re_2")
        .await;
    assert_eq!(w.deliveries(refunds.endpoint.id).await.len(), 1);
    assert_eq!(w.deliveries(all.endpoint.id).await.len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn events_are_listed_newest_first_with_cursors_for_their_merchant_and_mode(pool: PgPool) {
    let w = world(pool.clone()).await;
    let mut ids = Vec::new();
    for (n, kind) in [
        EventType::PaymentSucceeded,
        EventType::PaymentFailed,
        EventType::RefundSucceeded,
        EventType::PaymentSucceeded,
        EventType::CheckoutSessionCompleted,
    ]
    .into_iter()
    .enumerate()
    {
        ids.push(encode(
            Kind::Event,
            w.event(kind, &format!("pay_{n}")).await,
        ));
    }
    w.event_in(Mode::Live, EventType::PaymentSucceeded, "pay_live")
        .await;
    let pool = &w.platform().pool;
    let scope = &w.scope;
    let list = |filter: Filter| async move { events::list(pool, scope, Mode::Test, &filter).await };
    let page_ids = |page: &events::Page| {
        page.data
            .iter()
            .map(|e| e.to_json()["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let first = list(Filter {
        limit: Some(2),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert_eq!(page_ids(&first), [ids[4].clone(), ids[3].clone()]);
    assert!(first.has_more);
    let second = list(Filter {
        limit: Some(2),
        starting_after: Some(ids[3].clone()),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert_eq!(page_ids(&second), [ids[2].clone(), ids[1].clone()]);
    let last = list(Filter {
        limit: Some(2),
        starting_after: Some(ids[1].clone()),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert_eq!(
        (page_ids(&last), last.has_more),
        (vec![ids[0].clone()], false)
    );
    let back = list(Filter {
        limit: Some(2),
        ending_before: Some(ids[1].clone()),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert_eq!(page_ids(&back), [ids[3].clone(), ids[2].clone()]);
    let payments = list(Filter {
        kind: Some(EventType::PaymentSucceeded),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert_eq!(page_ids(&payments), [ids[3].clone(), ids[0].clone()]);
    let future = list(Filter {
        created_gte: Some(OffsetDateTime::now_utc() + time::Duration::hours(1)),
        ..Filter::default()
    })
    .await
    .unwrap();
    assert!(future.data.is_empty());
    assert!(matches!(
        list(Filter {
            limit: Some(0),
            ..Filter::default()
        })
        .await,
        Err(ListError::Limit)
    ));

    // The Live event is apart; another merchant sees nothing, and its cursors are unknown.
    let live = events::list(pool, &w.scope, Mode::Live, &Filter::default())
        .await
        .unwrap();
    assert_eq!(live.data.len(), 1);
    assert_eq!(live.data[0].to_json()["livemode"], true);
    let (_, stranger) = merchant(&w.platform().pool, "Other Shop", true).await;
    assert!(
        events::list(pool, &stranger, Mode::Test, &Filter::default())
            .await
            .unwrap()
            .data
            .is_empty()
    );
    assert!(
        events::get(pool, &stranger, Mode::Test, &ids[0])
            .await
            .unwrap()
            .is_none()
    );
    let foreign = Filter {
        starting_after: Some(ids[0].clone()),
        ..Filter::default()
    };
    assert!(matches!(
        events::list(pool, &stranger, Mode::Test, &foreign).await,
        Err(ListError::UnknownCursor("starting_after"))
    ));
    let event = events::get(pool, &w.scope, Mode::Test, &ids[2])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.to_json()["type"], "refund.succeeded");

    // Past 30 days an event is neither listed nor found, and the pruning pass deletes it.
    sqlx::query(
        "UPDATE events SET created_at = now() - interval '31 days' WHERE object_id = 'pay_0'",
    )
    .execute(pool)
    .await
    .unwrap();
    assert!(
        events::get(pool, &w.scope, Mode::Test, &ids[0])
            .await
            .unwrap()
            .is_none()
    );
    let (pruned, _) = platform::webhooks::delivery::prune(pool, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(pruned, 1);
}
