//! Chargebacks against the real server, Postgres and the Payten sandbox: recording one
//! debits the merchant (pending first, then available, which may go negative), a win gives
//! it back, a loss moves nothing; the limits, roles, step-up, deadline and merchant scope
//! of every step; the mail, the audit rows, and books that balance throughout.

mod support;

use app::error::AppError;
use platform::audit::RequestFacts;
use platform::identity::roles::MerchantScope;
use platform::payments::PaymentError;
use platform::payments::refunds::{self, RefundRequest, RefundStatus, Requester};
use reqwest::Response;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, location, mails_to};
use support::checkout::{Shop, shop};
use support::kyc::{pdf, png};
use support::world::{Actor, World, cast, visitor};
use uuid::Uuid;

const RECORD: &str = "/api/admin/chargebacks/record";
const DECIDE: &str = "/api/admin/chargebacks/decide";
const STATEMENT: &str = "/api/chargebacks/statement";

/// A shop whose payments belong to the cast's merchant A, so every actor of the cast
/// stands where a test needs them; and a finance member of A, who is told too.
async fn setup(pool: PgPool) -> (Shop, World) {
    let mut shop = shop(pool.clone()).await;
    let world = cast(shop.server.clone()).await;
    let owner = platform::identity::users::load_active(&pool, world.users[&Actor::OwnerA])
        .await
        .unwrap()
        .unwrap();
    shop.merchant_id = world.merchant_a;
    shop.scope = MerchantScope::of(&owner).unwrap();
    let keys = &shop.server.platform.config.secrets.field_keys;
    support::business::member(
        &pool,
        keys,
        world.merchant_a,
        "finance-a@example.com",
        "finance",
    )
    .await;
    (shop, world)
}

async fn today(pool: &PgPool) -> time::Date {
    platform::ledger::today(&mut pool.acquire().await.unwrap())
        .await
        .unwrap()
}

/// Records through the console as `staff` would: `(response, request id)`.
async fn record_as(
    staff: &mut Visitor<'_>,
    order_id: &str,
    amount: &str,
    due: time::Date,
) -> Response {
    let reported = (due - time::Duration::days(20)).to_string();
    let (request_id, due) = (Uuid::new_v4().to_string(), due.to_string());
    let form = [
        ("order_id", order_id),
        ("request_id", &request_id),
        ("amount", amount),
        ("reason_code", "10.4"),
        ("reported_on", &reported),
        ("evidence_due_on", &due),
    ];
    staff.post(RECORD, &form).await
}

/// Records a chargeback as staff with payments `act` and answers its id.
async fn record(world: &World, order_id: &str, amount: &str) -> Uuid {
    let due = today(&world.server.platform.pool).await + time::Duration::days(10);
    let response = record_as(
        &mut visitor(world, Actor::StaffAct).await,
        order_id,
        amount,
        due,
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json::<String>().await.unwrap().parse().unwrap()
}

async fn decide(world: &World, actor: Actor, id: Uuid, decision: &str) -> Response {
    visitor(world, actor)
        .await
        .post(DECIDE, &[("id", &id.to_string()), ("decision", decision)])
        .await
}

/// The merchant account's balance as the merchant reads it (credits less debits), cents.
async fn balance(pool: &PgPool, merchant: Uuid, kind: &str) -> i64 {
    let stored: Option<i64> = sqlx::query_scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE merchant_id = $1 AND kind = $2::ledger_account_kind AND mode = 'test'",
    )
    .bind(merchant)
    .bind(kind)
    .fetch_optional(pool)
    .await
    .unwrap();
    -stored.unwrap_or(0)
}

/// What the acquirer owes Saleonix in Test Mode (debits less credits).
async fn clearing(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT coalesce(sum(balance_minor), 0)::bigint FROM ledger_accounts WHERE kind = 'gateway_clearing'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every entry balances, and every account's balance is the sum of its lines.
async fn assert_books_balance(pool: &PgPool) {
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT entry_id FROM ledger_lines GROUP BY entry_id, currency HAVING sum(amount_minor) <> 0) e",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let drifted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_accounts a
         WHERE a.balance_minor <> (SELECT coalesce(sum(amount_minor), 0) FROM ledger_lines l WHERE l.account_id = a.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((unbalanced, drifted), (0, 0));
}

async fn entries(pool: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ledger_entries WHERE kind = $1::ledger_entry_kind")
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn status(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM chargebacks WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Audit rows about chargeback `id`: `event_type:actor_kind:outcome`.
async fn audit(pool: &PgPool, id: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT event_type || ':' || actor_kind::text || ':' || outcome::text FROM audit.events
         WHERE target_type = 'chargeback' AND target_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn evidence_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM chargeback_evidence")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Posts a file as the chargeback page's upload form does (same-origin, multipart).
async fn upload(visitor: &Visitor<'_>, chargeback: &str, bytes: &[u8]) -> Response {
    let boundary = "----saleonix-test-boundary-chargeback";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"proof.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = visitor
        .server
        .client
        .post(
            visitor
                .server
                .url(&format!("/api/chargebacks/{chargeback}/evidence")),
        )
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(cookie) = &visitor.cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// A session whose second factor was passed long ago.
async fn stale_step_up<'a>(world: &'a World, actor: Actor) -> Visitor<'a> {
    let stale = visitor(world, actor).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&actor])
        .execute(&world.server.platform.pool)
        .await
        .unwrap();
    stale
}

#[sqlx::test(migrations = "../migrations")]
async fn a_chargeback_takes_pending_first_and_a_win_gives_it_back_as_available(pool: PgPool) {
    let (shop, world) = setup(pool.clone()).await;
    let merchant = world.merchant_a;
    let (payment_id, order_id) = shop.paid("10.00").await;
    let pending = balance(&pool, merchant, "merchant_pending").await;
    let owed = clearing(&pool).await;
    assert!(pending > 400, "the net of 10.00 is pending: {pending}");

    let id = record(&world, &order_id, "4.00").await;
    assert_eq!(
        balance(&pool, merchant, "merchant_pending").await,
        pending - 400
    );
    assert_eq!(balance(&pool, merchant, "merchant_available").await, 0);
    assert_eq!(
        clearing(&pool).await,
        owed - 400,
        "the acquirer took it back"
    );
    let hold: i64 =
        sqlx::query_scalar("SELECT remaining_minor FROM ledger_holds WHERE kind = 'pending'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        hold,
        pending - 400,
        "the release will move only what is left"
    );
    let cause: String =
        sqlx::query_scalar("SELECT cause FROM ledger_entries WHERE kind = 'chargeback'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(cause, format!("chargeback:{id}"));
    assert_eq!(status(&pool, id).await, "open");
    assert_books_balance(&pool).await;
    let ip: Option<String> =
        sqlx::query_scalar("SELECT ip FROM audit.events WHERE event_type = 'chargeback.record'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        ip.as_deref(),
        Some("127.0.0.1"),
        "the staff member's address is kept"
    );

    // The owner and the finance member are told, with the deadline; the viewer is not.
    let due = (today(&pool).await + time::Duration::days(10)).to_string();
    for to in ["ownera@example.com", "finance-a@example.com"] {
        let mails = mails_to(&shop.server, to).await;
        assert_eq!(mails.len(), 1, "{to}");
        assert!(
            mails[0].contains(&order_id)
                && mails[0].contains("4.00 EUR")
                && mails[0].contains(&format!("by {due}")),
            "{}",
            mails[0]
        );
        assert!(mails[0].contains(&format!("/dashboard/chargebacks/{id}")));
    }
    assert!(
        mails_to(&shop.server, "viewera@example.com")
            .await
            .is_empty()
    );

    // A refund after it is the payment's own business: the books take the refund alone
    // (a chargeback is not read as money the gateway gave back).
    let refund = RefundRequest {
        request_id: Uuid::new_v4(),
        amount_minor: 100,
        reason: "A returned item".into(),
    };
    let requester = Requester::Member {
        user_id: world.users[&Actor::OwnerA],
        merchant_id: merchant,
    };
    let made = refunds::request(
        &shop.server.platform,
        payment_id,
        &refund,
        requester,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
    assert_eq!(made.status, RefundStatus::Succeeded);
    assert_eq!(entries(&pool, "payment_refund").await, 1);
    assert_eq!(clearing(&pool).await, owed - 400 - 100);
    assert_eq!(
        balance(&pool, merchant, "merchant_pending").await,
        pending - 400 - 100
    );
    // What the chargeback took is the buyer's already: 10.00 - 4.00 - 1.00 is all that is
    // left to refund while it stands.
    let too_much = RefundRequest {
        request_id: Uuid::new_v4(),
        amount_minor: 600,
        reason: "Everything".into(),
    };
    let refused = refunds::request(
        &shop.server.platform,
        payment_id,
        &too_much,
        requester,
        &RequestFacts::default(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(PaymentError::RefundExceeds {
                remaining_minor: 500
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        entries(&pool, "payment_refund").await,
        1,
        "nothing more refunded"
    );

    let won = decide(&world, Actor::StaffAct, id, "won").await;
    assert_eq!(won.status(), 200);
    assert_eq!(won.json::<String>().await.unwrap(), "won");
    assert_eq!(
        balance(&pool, merchant, "merchant_pending").await,
        pending - 500
    );
    assert_eq!(
        balance(&pool, merchant, "merchant_available").await,
        400,
        "a win comes back as available"
    );
    assert_eq!(clearing(&pool).await, owed - 100);
    assert!(
        mails_to(&shop.server, "ownera@example.com").await[0].contains("decided in your favour")
    );

    // Deciding again the same way is a no-op; the other way is refused.
    assert_eq!(
        decide(&world, Actor::StaffAct, id, "won")
            .await
            .json::<String>()
            .await
            .unwrap(),
        "won"
    );
    assert_eq!(entries(&pool, "chargeback_reversal").await, 1);
    let lost = decide(&world, Actor::StaffAct, id, "lost").await;
    assert!(
        matches!(error_of(lost).await, AppError::Validation { field, .. } if field == "chargeback")
    );
    assert_eq!(status(&pool, id).await, "won");
    assert_eq!(
        audit(&pool, id).await,
        [
            "chargeback.record:staff:success",
            "chargeback.won:staff:success"
        ]
    );
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn after_release_a_chargeback_takes_available_below_zero_and_a_loss_moves_nothing(
    pool: PgPool,
) {
    let (shop, world) = setup(pool.clone()).await;
    let merchant = world.merchant_a;
    let (_, order_id) = shop.paid("10.00").await;
    sqlx::query("UPDATE ledger_holds SET release_on = release_on - 30")
        .execute(&pool)
        .await
        .unwrap();
    platform::ledger::release::release_due(&shop.server.platform)
        .await
        .unwrap();
    let net = balance(&pool, merchant, "merchant_available").await;
    assert!(net > 0 && net < 1000);
    assert_eq!(balance(&pool, merchant, "merchant_pending").await, 0);

    let id = record(&world, &order_id, "10.00").await;
    assert_eq!(
        balance(&pool, merchant, "merchant_available").await,
        net - 1000,
        "below zero: the fee is not returned"
    );
    assert!(net - 1000 < 0);
    let before = (clearing(&pool).await, entries(&pool, "chargeback").await);

    let lost = decide(&world, Actor::StaffAct, id, "lost").await;
    assert_eq!(lost.json::<String>().await.unwrap(), "lost");
    assert_eq!(status(&pool, id).await, "lost");
    assert_eq!(
        balance(&pool, merchant, "merchant_available").await,
        net - 1000,
        "a loss moves no money"
    );
    assert_eq!(
        (clearing(&pool).await, entries(&pool, "chargeback").await),
        before
    );
    assert_eq!(entries(&pool, "chargeback_reversal").await, 0);
    assert_eq!(
        audit(&pool, id).await,
        [
            "chargeback.record:staff:success",
            "chargeback.lost:staff:success"
        ]
    );
    assert!(
        mails_to(&shop.server, "finance-a@example.com").await[0]
            .contains("decided for the card holder")
    );
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn more_than_the_payment_is_refused_beside_the_amount_and_nothing_changes(pool: PgPool) {
    let (shop, world) = setup(pool.clone()).await;
    let (_, order_id) = shop.paid("10.00").await;
    let due = today(&pool).await + time::Duration::days(10);
    let mut staff = visitor(&world, Actor::StaffAct).await;

    let over = record_as(&mut staff, &order_id, "10.01", due).await;
    assert_eq!(over.status(), 422);
    assert_eq!(
        error_of(over).await,
        AppError::validation(
            "amount",
            "At most 10.00 EUR of this payment can still be charged back."
        )
    );
    let unknown = record_as(&mut staff, "SXNOSUCHORDER", "1.00", due).await;
    assert!(
        matches!(error_of(unknown).await, AppError::Validation { field, .. } if field == "order_id")
    );
    let late = record_as(
        &mut staff,
        &order_id,
        "1.00",
        today(&pool).await - time::Duration::days(1),
    )
    .await;
    assert!(
        matches!(error_of(late).await, AppError::Validation { field, .. } if field == "evidence_due_on")
    );
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT count(*) FROM chargebacks").await, 0);
    assert_eq!(
        count("SELECT count(*) FROM ledger_entries WHERE kind = 'chargeback'").await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Chargeback%'").await,
        0
    );

    // A first part, then the rest less a cent too many; sending the first form again
    // records nothing more (its request id finds the chargeback it made).
    let reported = (due - time::Duration::days(20)).to_string();
    let request_id = Uuid::new_v4().to_string();
    let due_text = due.to_string();
    let form = [
        ("order_id", order_id.as_str()),
        ("request_id", request_id.as_str()),
        ("amount", "6.00"),
        ("reason_code", "4837"),
        ("reported_on", reported.as_str()),
        ("evidence_due_on", due_text.as_str()),
    ];
    let first: String = staff.post(RECORD, &form).await.json().await.unwrap();
    let again: String = staff.post(RECORD, &form).await.json().await.unwrap();
    assert_eq!(first, again);
    assert_eq!(
        count("SELECT count(*) FROM ledger_entries WHERE kind = 'chargeback'").await,
        1
    );
    let rest = record_as(&mut staff, &order_id, "4.01", due).await;
    assert_eq!(
        error_of(rest).await,
        AppError::validation(
            "amount",
            "At most 4.00 EUR of this payment can still be charged back."
        )
    );
    record(&world, &order_id, "4.00").await;
    assert_eq!(count("SELECT count(*) FROM chargebacks").await, 2);

    // The database holds the limit whatever the code does.
    let payment: Uuid = sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
        .bind(&order_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let direct = sqlx::query(
        "INSERT INTO chargebacks (id, request_id, payment_id, merchant_id, mode, amount_minor, currency, reason_code,
                                  reported_on, evidence_due_on, recorded_by)
         SELECT gen_random_uuid(), gen_random_uuid(), id, merchant_id, mode, 1, currency, '10.4', current_date, current_date, $2
         FROM payments WHERE id = $1",
    )
    .bind(payment)
    .bind(world.users[&Actor::StaffAct])
    .execute(&pool)
    .await
    .unwrap_err();
    assert_eq!(
        direct.as_database_error().unwrap().constraint(),
        Some("chargebacks_within_captured")
    );
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn recording_and_deciding_need_payments_act_and_a_fresh_code(pool: PgPool) {
    let (shop, world) = setup(pool.clone()).await;
    let (_, order_id) = shop.paid("10.00").await;
    let due = today(&pool).await + time::Duration::days(10);
    for actor in [Actor::StaffView, Actor::StaffWithoutModule, Actor::OwnerA] {
        let refused = record_as(&mut visitor(&world, actor).await, &order_id, "1.00", due).await;
        assert_eq!(refused.status(), 403, "{actor:?}");
    }
    let mut stale = stale_step_up(&world, Actor::StaffAct).await;
    assert_eq!(
        error_of(record_as(&mut stale, &order_id, "1.00", due).await).await,
        AppError::StepUpRequired
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM chargebacks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'access.denied' AND reason = 'step-up required' AND actor_id = $1",
    )
    .bind(world.users[&Actor::StaffAct])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);

    let id = record(&world, &order_id, "1.00").await;
    for actor in [Actor::StaffView, Actor::OwnerA] {
        assert_eq!(
            decide(&world, actor, id, "won").await.status(),
            403,
            "{actor:?}"
        );
    }
    let mut stale = stale_step_up(&world, Actor::StaffAct).await;
    let refused = stale
        .post(DECIDE, &[("id", &id.to_string()), ("decision", "won")])
        .await;
    assert_eq!(error_of(refused).await, AppError::StepUpRequired);
    assert_eq!(status(&pool, id).await, "open");
    assert_eq!(entries(&pool, "chargeback_reversal").await, 0);
    // An administrator holds every module.
    assert_eq!(decide(&world, Actor::Admin, id, "won").await.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_merchant_answers_with_evidence_until_the_deadline(pool: PgPool) {
    let (shop, world) = setup(pool.clone()).await;
    let (_, order_id) = shop.paid("10.00").await;
    let id = record(&world, &order_id, "10.00").await;
    let cid = id.to_string();

    // Every member reads it, with the 3-D Secure result and the receipt on file.
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let detail: serde_json::Value = viewer
        .post("/api/chargebacks/detail", &[("id", &cid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["chargeback"]["order_id"], order_id.as_str());
    assert!(
        detail["three_d_secure"]
            .as_str()
            .unwrap()
            .contains("mdStatus"),
        "{detail}"
    );
    assert_eq!(detail["receipt"]["amount"], "10.00 EUR");
    assert_eq!(detail["can_add_evidence"], false, "a viewer reads only");
    let list: serde_json::Value = viewer
        .post("/api/chargebacks/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], cid.as_str());
    assert_eq!(list[0]["status"], "open");

    // A viewer cannot add; the owner can, a statement and a file.
    assert_eq!(
        viewer
            .post(STATEMENT, &[("id", &cid), ("text", "Delivered.")])
            .await
            .status(),
        403
    );
    assert_eq!(upload(&viewer, &cid, &pdf("viewer")).await.status(), 403);
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let statement = "Delivered to Prishtina on 3 November, signed for by the buyer.";
    assert_eq!(
        owner
            .post(STATEMENT, &[("id", &cid), ("text", statement)])
            .await
            .status(),
        200
    );
    assert_eq!(status(&pool, id).await, "evidence_submitted");
    let sent = upload(&owner, &cid, &pdf("signed-delivery-note")).await;
    assert_eq!(
        location(&sent),
        format!("/dashboard/chargebacks/{cid}?uploaded=1#evidence")
    );
    let html = upload(&owner, &cid, b"<html><script>alert(1)</script></html>").await;
    assert!(location(&html).ends_with("upload_error=type#evidence"));
    assert_eq!(evidence_count(&pool).await, 2);
    let stored = shop.dump_every_table().await;
    assert!(
        !stored.contains("signed for by the buyer") && !stored.contains("signed-delivery-note"),
        "stored encrypted"
    );

    let detail: serde_json::Value = owner
        .post("/api/chargebacks/detail", &[("id", &cid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["can_add_evidence"], true);
    let evidence = detail["evidence"].as_array().unwrap();
    assert_eq!(evidence[0]["text"], statement);
    let file_url = evidence[1]["file_url"].as_str().unwrap().to_owned();
    let file_id = file_url.rsplit('/').next().unwrap().to_owned();
    let download = owner.get(&file_url).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        pdf("signed-delivery-note").as_slice()
    );
    let staff_copy = visitor(&world, Actor::StaffView)
        .await
        .get(&format!("/api/admin/chargebacks/evidence/{file_id}"))
        .await;
    assert_eq!(staff_copy.status(), 200);

    // Another merchant's owner finds nothing, reads nothing and adds nothing.
    let mut other = visitor(&world, Actor::OwnerB).await;
    assert_eq!(
        other
            .post("/api/chargebacks/detail", &[("id", &cid)])
            .await
            .status(),
        404
    );
    assert_eq!(other.get(&file_url).await.status(), 404);
    assert_eq!(
        other
            .post(STATEMENT, &[("id", &cid), ("text", "Not ours.")])
            .await
            .status(),
        404
    );
    assert_eq!(upload(&other, &cid, &pdf("not ours")).await.status(), 404);
    let listed: serde_json::Value = other
        .post("/api/chargebacks/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, serde_json::json!([]));
    assert_eq!(evidence_count(&pool).await, 2);

    // Past the deadline nothing more is taken.
    sqlx::query("UPDATE chargebacks SET evidence_due_on = current_date - 2 WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let late = owner
        .post(STATEMENT, &[("id", &cid), ("text", "One more thing.")])
        .await;
    assert!(
        matches!(error_of(late).await, AppError::Validation { field, message } if field == "evidence" && message.contains("passed"))
    );
    assert!(
        location(&upload(&owner, &cid, &png("late")).await)
            .ends_with("upload_error=closed#evidence")
    );
    assert_eq!(evidence_count(&pool).await, 2);

    assert_eq!(
        audit(&pool, id).await,
        [
            "chargeback.record:staff:success",
            "chargeback.evidence.add:user:success",
            "chargeback.evidence.add:user:success",
            "chargeback.evidence.view:user:success",
            "chargeback.evidence.view:staff:success",
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_decided_chargeback_takes_no_more_evidence(pool: PgPool) {
    let (shop, world) = setup(pool.clone()).await;
    let (_, order_id) = shop.paid("10.00").await;
    let id = record(&world, &order_id, "2.50").await;
    assert_eq!(
        decide(&world, Actor::StaffAct, id, "lost").await.status(),
        200
    );
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let refused = owner
        .post(STATEMENT, &[("id", &id.to_string()), ("text", "Too late.")])
        .await;
    assert!(
        matches!(error_of(refused).await, AppError::Validation { field, .. } if field == "chargeback")
    );
    assert_eq!(evidence_count(&pool).await, 0);
    let staff: serde_json::Value = visitor(&world, Actor::StaffView)
        .await
        .post("/api/admin/chargebacks/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff[0]["status"], "lost");
    assert_eq!(staff[0]["merchant_name"], "Dardania Crafts");
}
