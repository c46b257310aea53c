//! The payout and account events: raised by the payout transitions, the KYC review and
//! suspensions, once per change, in the change's own transaction (a change rolled back
//! leaves no event), carrying the objects the API shows and nothing staff keep to
//! themselves, and delivered to the endpoints that subscribed to them only.

use std::collections::BTreeSet;

use domain::public_id::{Kind, encode};
use domain::{EventType, MerchantId, Mode};
use platform::identity::roles::{Level, Module};
use platform::kyc::Item;
use platform::kyc::review;
use platform::merchants::{self, Flag};
use platform::payouts::transition::{self, Move};
use serde_json::Value;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::support::applications::{PERSONAL_NUMBER, resubmit, submitted, tomorrow};
use crate::support::books::{
    KOSOVO, approve_kyc, bank_account, credit, daily, payable, payouts_of, sent_batch, staff,
};
use crate::support::checkout::{merchant, staff_scope};
use crate::world::{World, facts, world};

/// The events of type `kind` as `(merchant, mode, data)`, in the order recorded.
async fn recorded(pool: &PgPool, kind: &str) -> Vec<(Uuid, String, Value)> {
    sqlx::query_as("SELECT merchant_id, mode::text, data FROM events WHERE type = $1 ORDER BY seq")
        .bind(kind)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// A Live endpoint subscribed to `types`. Live endpoints take only public `https://`
/// addresses, which no test reaches, so the row stands for one: its outbox rows show
/// which events it would be sent.
async fn live_endpoint(pool: &PgPool, merchant_id: Uuid, types: &[EventType]) -> Uuid {
    let id = Uuid::new_v4();
    let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, merchant_id, mode, url, event_types, secret)
         VALUES ($1, $2, 'live', 'https://shop.example/hooks', $3, '\\x00'::bytea)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(types)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// Makes the audit row of `event_type` fail, as a late failure in the change's
/// transaction would: the whole change, its event included, must roll back.
async fn fail_audit_of(pool: &PgPool, event_type: &str) {
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.event_type = '{event_type}' THEN RAISE EXCEPTION 'failed on purpose'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit.events FOR EACH ROW EXECUTE FUNCTION test_fail_audit();"
    ))
    .execute(pool)
    .await
    .unwrap();
}

async fn audit_again(pool: &PgPool) {
    sqlx::raw_sql("DROP TRIGGER test_fail_audit ON audit.events; DROP FUNCTION test_fail_audit();")
        .execute(pool)
        .await
        .unwrap();
}

/// The world's merchant's application sent for review, as its owner would.
async fn submit(w: &World) {
    let owner: Uuid =
        sqlx::query_scalar("SELECT user_id FROM merchant_members WHERE merchant_id = $1")
            .bind(w.merchant_id)
            .fetch_one(&w.platform().pool)
            .await
            .unwrap();
    submitted(w.platform(), w.merchant_id, owner).await;
}

fn modes(events: &[(Uuid, String, Value)]) -> BTreeSet<String> {
    events.iter().map(|(_, mode, _)| mode.clone()).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn payout_events_follow_each_step_once_and_only_to_subscribed_endpoints(pool: PgPool) {
    let w = world(pool.clone()).await;
    let platform = w.platform();
    let ours = w.merchant_id;
    approve_kyc(&pool, ours).await;
    bank_account(platform, ours, "Dardania Crafts", KOSOVO, -1).await;
    daily(&pool, ours, 1_000).await;
    credit(&pool, ours, Mode::Live, 5_000).await;
    let returned_shop = payable(platform, "Returned Shop").await;
    credit(&pool, returned_shop, Mode::Live, 7_000).await;
    let payouts_endpoint = live_endpoint(
        &pool,
        ours,
        &[
            EventType::PayoutCreated,
            EventType::PayoutPaid,
            EventType::PayoutFailed,
        ],
    )
    .await;
    let payments_endpoint = live_endpoint(&pool, ours, &[EventType::PaymentSucceeded]).await;

    let approver = staff(&pool, "approver@saleonix.test").await;
    sent_batch(platform, &approver).await;
    let payout = payouts_of(&pool, ours).await[0].0;
    let other = payouts_of(&pool, returned_shop).await[0].0;
    let created = recorded(&pool, "payout.created").await;
    assert_eq!(created.len(), 2, "one per payout the run made");
    let (_, mode, data) = created.iter().find(|(m, _, _)| *m == ours).unwrap();
    assert_eq!(mode, "live");
    assert_eq!(data["id"], encode(Kind::Payout, payout).as_str());
    assert_eq!(
        (data["status"].as_str(), data["amount"].as_i64()),
        (Some("created"), Some(5_000))
    );

    // Marking it paid, rolled back: no event. Committed: one, however often repeated.
    let paid = Move::Paid {
        payout_id: payout,
        staff: &approver,
    };
    let mut tx = pool.begin().await.unwrap();
    transition::apply_in(&mut tx, platform, paid, &facts())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(recorded(&pool, "payout.paid").await.is_empty());
    transition::apply(platform, paid, &facts()).await.unwrap();
    transition::apply(platform, paid, &facts()).await.unwrap();
    let paid_events = recorded(&pool, "payout.paid").await;
    assert_eq!(paid_events.len(), 1);
    // The data is the API's payout object as it stood then.
    let mut conn = pool.acquire().await.unwrap();
    let api_object = platform::api::payouts::get(
        &mut conn,
        &w.scope,
        Mode::Live,
        &encode(Kind::Payout, payout),
    )
    .await
    .unwrap();
    assert_eq!(paid_events[0].2, serde_json::to_value(api_object).unwrap());
    assert_eq!(paid_events[0].2["status"], "paid");

    let returned = Move::Returned {
        payout_id: other,
        staff: &approver,
        reason: "Account closed",
    };
    transition::apply(platform, returned, &facts())
        .await
        .unwrap();
    let failed = recorded(&pool, "payout.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, returned_shop);
    assert_eq!(failed[0].2["status"], "returned");
    assert_eq!(failed[0].2["failure_message"], "Account closed");

    // Approving and sending are Saleonix's own steps: the subscribed endpoint has the
    // creation and the payment, the other endpoint nothing.
    assert_eq!(w.deliveries(payouts_endpoint).await.len(), 2);
    assert!(w.deliveries(payments_endpoint).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn verification_outcomes_reach_both_modes_without_personal_data_or_staff_details(
    pool: PgPool,
) {
    let w = world(pool.clone()).await;
    let platform = w.platform();
    submit(&w).await;
    let subscribed = w
        .endpoint(Some(vec![
            EventType::AccountVerificationChangesRequested,
            EventType::AccountVerificationApproved,
        ]))
        .await;
    let payments = w.endpoint(Some(vec![EventType::PaymentSucceeded])).await;
    let asker = staff_scope(&pool, Module::Merchants, Level::Act).await;
    let approver = staff_scope(&pool, Module::Merchants, Level::Act).await;
    let merchant_id = MerchantId::from_uuid(w.merchant_id);

    let reason = "The registration number is missing.";
    review::request_changes(
        platform,
        &asker,
        merchant_id,
        Item::Business,
        reason,
        &facts(),
    )
    .await
    .unwrap();
    resubmit(platform, w.merchant_id, Item::Business).await;
    for item in Item::ALL {
        review::accept_item(platform, &approver, merchant_id, item, &facts())
            .await
            .unwrap();
    }
    // The approval failing late rolls its event back with it.
    fail_audit_of(&pool, "kyc.approve").await;
    assert!(
        review::approve(platform, &approver, merchant_id, &facts())
            .await
            .is_err()
    );
    audit_again(&pool).await;
    assert!(
        recorded(&pool, "account.verification.approved")
            .await
            .is_empty()
    );
    review::approve(platform, &approver, merchant_id, &facts())
        .await
        .unwrap();

    let asked = recorded(&pool, "account.verification.changes_requested").await;
    let approved = recorded(&pool, "account.verification.approved").await;
    for events in [&asked, &approved] {
        assert_eq!(events.len(), 2, "one per mode");
        assert_eq!(
            modes(events),
            BTreeSet::from(["live".into(), "test".into()])
        );
    }
    let account = &approved[0].2;
    assert_eq!(account["id"], encode(Kind::Account, w.merchant_id).as_str());
    assert_eq!(account["object"], "account");
    assert_eq!(account["live_mode_enabled"], true);
    assert_eq!(account["verification"]["status"], "approved");
    let business = &asked[0].2["verification"]["items"][0];
    assert_eq!(business["item"], "business");
    assert_eq!(business["state"], "changes_requested");
    assert_eq!(
        business["reason"], reason,
        "written for the merchant, and mailed to it"
    );
    // Only the account's standing: none of the people, numbers or staff behind it.
    let keys: BTreeSet<&str> = account
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "live_mode_enabled",
            "object",
            "suspended",
            "verification"
        ])
    );
    for (_, _, data) in asked.iter().chain(&approved) {
        let text = data.to_string();
        for private in [
            PERSONAL_NUMBER,
            "Drita Berisha",
            "811234567",
            "saleonix.test",
            "Ops",
        ] {
            assert!(!text.contains(private), "{private} in {text}");
        }
    }

    // The Test endpoint hears both outcomes, signed; the Live events are not its mode's,
    // and the endpoint subscribed to payments hears nothing.
    let report = w.deliver_all(OffsetDateTime::now_utc()).await;
    assert_eq!(report.delivered, 2);
    let received = w.receiver.received();
    assert!(received.iter().all(|r| r.verifies(&subscribed.secret)));
    let types: Vec<String> = received
        .iter()
        .map(|r| r.event()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "account.verification.changes_requested",
            "account.verification.approved"
        ]
    );
    assert!(received.iter().all(|r| r.event()["livemode"] == false));
    assert!(w.deliveries(payments.endpoint.id).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn rejection_reverification_and_restriction_raise_their_events(pool: PgPool) {
    let w = world(pool.clone()).await;
    let platform = w.platform();
    let staff = staff_scope(&pool, Module::Merchants, Level::Act).await;
    submit(&w).await;
    let reason = "We cannot serve businesses of this kind.";
    review::reject(
        platform,
        &staff,
        MerchantId::from_uuid(w.merchant_id),
        reason,
        &facts(),
    )
    .await
    .unwrap();
    let rejected = recorded(&pool, "account.verification.rejected").await;
    assert_eq!(
        modes(&rejected),
        BTreeSet::from(["live".into(), "test".into()])
    );
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].2["verification"]["status"], "rejected");
    assert_eq!(rejected[0].2["verification"]["rejection_reason"], reason);
    assert_eq!(rejected[0].2["live_mode_enabled"], false);

    // A verified merchant asked to update its bank account, and restricted past the deadline.
    let (verified, _) = merchant(&pool, "Verified Shop", true).await;
    approve_kyc(&pool, verified).await;
    let verified_id = MerchantId::from_uuid(verified);
    let due = tomorrow();
    review::request_reverification(
        platform,
        &staff,
        verified_id,
        Item::BankAccount,
        "Your bank statement has expired.",
        due,
        &facts(),
    )
    .await
    .unwrap();
    let asked = recorded(&pool, "account.verification.reverification_requested").await;
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].0, verified);
    assert!(asked[0].2["verification"]["reverification_due"].is_string());
    assert_eq!(asked[0].2["live_mode_enabled"], true);
    let later = OffsetDateTime::now_utc() + Duration::days(3);
    assert_eq!(review::restrict_overdue(platform, later).await.unwrap(), 1);
    assert_eq!(review::restrict_overdue(platform, later).await.unwrap(), 0);
    let restricted = recorded(&pool, "account.restricted").await;
    assert_eq!(restricted.len(), 2, "once, in each mode");
    assert_eq!(restricted[0].2["verification"]["restricted"], true);
    assert_eq!(restricted[0].2["live_mode_enabled"], false);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_suspension_and_a_reinstatement_are_raised_once_per_change(pool: PgPool) {
    let w = world(pool.clone()).await;
    let platform = w.platform();
    let staff = staff_scope(&pool, Module::Merchants, Level::Act).await;
    let merchant_id = MerchantId::from_uuid(w.merchant_id);
    let suspended = w.endpoint(Some(vec![EventType::AccountSuspended])).await;

    fail_audit_of(&pool, "merchant.suspended").await;
    let facts = facts();
    let set = |on| merchants::set_flag(platform, &staff, merchant_id, Flag::Suspended, on, &facts);
    assert!(set(true).await.is_err());
    audit_again(&pool).await;
    assert!(recorded(&pool, "account.suspended").await.is_empty());

    set(true).await.unwrap();
    set(true).await.unwrap();
    let events = recorded(&pool, "account.suspended").await;
    assert_eq!(
        events.len(),
        2,
        "once, in each mode; the repeat changed nothing"
    );
    assert_eq!(events[0].2["suspended"], true);
    assert_eq!(events[0].2["live_mode_enabled"], false);
    set(false).await.unwrap();
    let reinstated = recorded(&pool, "account.reinstated").await;
    assert_eq!(reinstated.len(), 2);
    assert_eq!(reinstated[0].2["live_mode_enabled"], true);

    let report = w.deliver_all(OffsetDateTime::now_utc()).await;
    assert_eq!(report.delivered, 1, "the Test suspension only");
    assert_eq!(
        w.receiver.received()[0].event()["type"],
        "account.suspended"
    );
    assert!(w.receiver.received()[0].verifies(&suspended.secret));
}
