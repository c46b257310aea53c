//! The merchant's side: the statement of a payout (its own members with the right role,
//! staff with payouts `view`; nobody else) adding up to the amount paid, and the schedule
//! form (checked, step-up, audited).

use app::error::AppError;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;

use crate::books::{KOSOVO, approve_kyc, audit, bank_account, credit, daily, payouts_of, run_now};
use crate::support::accounts::error_of;
use crate::support::world::{Actor, visitor, world};

#[sqlx::test(migrations = "../migrations")]
async fn a_statement_adds_up_to_the_payout_and_only_its_merchant_reads_it(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    let merchant = world.merchant_a;
    approve_kyc(&pool, merchant).await;
    bank_account(platform, merchant, "Dardania Crafts", KOSOVO, -1).await;
    daily(&pool, merchant, 1_000).await;
    credit(&pool, merchant, Mode::Live, 10_000).await;
    credit(&pool, merchant, Mode::Live, -1_655).await;
    credit(&pool, merchant, Mode::Live, 4_000).await;
    run_now(platform, None).await;
    let (payout_id, end_to_end_id, amount, _) = payouts_of(&pool, merchant).await.remove(0);
    assert_eq!(amount, 12_345);
    let page = format!("/api/payouts/{payout_id}/statement");

    let mut owner = visitor(&world, Actor::OwnerA).await;
    let response = owner.get(&page).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    let mor = &platform.config.settings.merchant_of_record;
    assert!(
        html.contains(&mor.name) && html.contains(&mor.business_number),
        "merchant of record named"
    );
    assert!(
        html.contains("123.45 EUR")
            && html.contains(&end_to_end_id)
            && html.contains("Opening credit")
    );

    let csv = owner
        .get(&format!("{page}?format=csv"))
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "date,type,reference,gross,fee,vat,amount");
    let amount_of = |line: &str| -> i64 {
        let cell = line.rsplit(',').next().unwrap();
        platform::payouts::import::parse_amount(cell.trim_start_matches('-'))
            .unwrap()
            .minor()
            * if cell.starts_with('-') { -1 } else { 1 }
    };
    let covered: i64 = lines[1..lines.len() - 1].iter().map(|l| amount_of(l)).sum();
    assert_eq!(lines.len(), 6, "opening, three entries, paid out: {csv}");
    assert!(
        lines[3].ends_with(",-16.55"),
        "a debit stays a number: {}",
        lines[3]
    );
    assert_eq!(covered, 12_345, "the items add up to the payout");
    assert_eq!(amount_of(lines[lines.len() - 1]), 12_345);

    let mut stranger = visitor(&world, Actor::OwnerB).await;
    assert_eq!(
        stranger.get(&page).await.status(),
        404,
        "another merchant's payout is not found"
    );
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    assert_eq!(
        viewer.get(&page).await.status(),
        403,
        "viewers do not read the books"
    );
    let mut staff = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        staff
            .get(&format!("/api/admin/payouts/{payout_id}/statement"))
            .await
            .status(),
        200
    );
    assert_eq!(
        staff.get(&page).await.status(),
        403,
        "staff use the console's route"
    );
    let mut outsider = visitor(&world, Actor::StaffWithoutModule).await;
    assert_eq!(
        outsider
            .get(&format!("/api/admin/payouts/{payout_id}/statement"))
            .await
            .status(),
        403
    );
    assert_eq!(audit(&pool, "payout.statement").await.len(), 3);

    let list = owner.post("/api/payouts", &[]).await;
    assert_eq!(list.status(), 200);
    let list: serde_json::Value = list.json().await.unwrap();
    assert_eq!(
        list["payouts"][0]["amount"],
        serde_json::json!({ "minor": 12_345, "currency": "EUR" })
    );
    assert_eq!(list["payouts"][0]["status"], "created");
    let theirs: serde_json::Value = stranger
        .post("/api/payouts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        theirs["payouts"].as_array().unwrap().len(),
        0,
        "each merchant sees its own payouts"
    );

    // The Balance page names it among the upcoming payouts, in Live Mode only.
    let test: serde_json::Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(
        test["payouts"].as_array().unwrap().len(),
        0,
        "Test Mode money is never paid out"
    );
    assert_eq!(
        owner
            .post("/api/dashboard/set-mode", &[("mode", "live")])
            .await
            .status(),
        200
    );
    let live: serde_json::Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    let upcoming = &live["payouts"][0];
    assert_eq!(
        (
            upcoming["amount"]["minor"].as_i64(),
            upcoming["status"].as_str()
        ),
        (Some(12_345), Some("created"))
    );
    assert_eq!(upcoming["iban_masked"], "XK05 **** **** **** 8906");
    assert_eq!(live["balances"][0]["in_payout"]["minor"], 12_345);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_schedule_is_checked_needs_a_fresh_code_and_is_audited(pool: PgPool) {
    let world = world(pool.clone()).await;
    let settlement = || async {
        sqlx::query_as::<_, (String, i16, i64)>(
            "SELECT payout_schedule, payout_weekday, payout_minimum_minor FROM merchant_settlement WHERE merchant_id = $1",
        )
        .bind(world.merchant_a)
        .fetch_optional(&pool)
        .await
        .unwrap()
    };
    const SET: &str = "/api/payouts/schedule";
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let good = [
        ("schedule", "weekly"),
        ("weekday", "3"),
        ("month_day", "1"),
        ("minimum", "25.50"),
    ];
    let bad_day = [
        ("schedule", "weekly"),
        ("weekday", "6"),
        ("month_day", "1"),
        ("minimum", "25.50"),
    ];
    let answer = owner.post(SET, &bad_day).await;
    assert_eq!(answer.status(), 422);
    assert_eq!(
        error_of(answer).await.for_field("weekday").as_deref(),
        Some("Choose a weekday from Monday to Friday.")
    );
    let too_small = [("schedule", "daily"), ("minimum", "0.50")];
    assert!(
        error_of(owner.post(SET, &too_small).await)
            .await
            .for_field("minimum")
            .is_some()
    );
    assert_eq!(settlement().await, None, "nothing changed");

    let mut viewer = visitor(&world, Actor::ViewerA).await;
    assert_eq!(viewer.post(SET, &good).await.status(), 403);
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::OwnerA])
        .execute(&pool)
        .await
        .unwrap();
    let stale = owner.post(SET, &good).await;
    assert_eq!(stale.status(), 403);
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);
    assert_eq!(settlement().await, None, "nothing changed");

    let mut fresh = visitor(&world, Actor::OwnerA).await;
    assert_eq!(fresh.post(SET, &good).await.status(), 200);
    assert_eq!(settlement().await, Some(("weekly".into(), 3, 2_550)));
    assert_eq!(
        audit(&pool, "payout_schedule.change").await,
        ["payout_schedule.change:success:"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_statement_shows_each_released_sale_with_its_fee_and_vat(pool: PgPool) {
    use crate::support::checkout::{APPROVE, shop};
    use platform::ledger::EntryKind;
    use platform::payouts::statement::{self, Reader};

    let shop = shop(pool.clone()).await;
    let platform = &shop.server.platform;
    approve_kyc(&pool, shop.merchant_id).await;
    bank_account(platform, shop.merchant_id, "Dardania Crafts", KOSOVO, -1).await;
    daily(&pool, shop.merchant_id, 1_000).await;
    let token = shop.checkout(Mode::Live, "25.00").await;
    let (order_id, _) = shop.pay(&token, APPROVE).await;
    assert_eq!(shop.settled(&order_id).await, "paid");
    let (pending, _) = crate::books::balances(&pool, shop.merchant_id).await;
    assert_eq!(
        pending, 0,
        "sold money is pending, not available, until its release"
    );
    sqlx::query("UPDATE ledger_holds SET release_on = current_date - 1")
        .execute(&pool)
        .await
        .unwrap();
    platform::ledger::release::release_due(platform)
        .await
        .unwrap();

    run_now(platform, None).await;
    let (payout_id, _, amount, _) = payouts_of(&pool, shop.merchant_id).await.remove(0);
    let (gross, fee, vat, net): (i64, i64, i64, i64) =
        sqlx::query_as("SELECT gross_minor, fee_minor, vat_minor, net_minor FROM payment_fees")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((gross, amount), (2_500, net));
    let reader = Reader::Member {
        user_id: shop.scope.user_id().unwrap(),
        merchant_id: domain::MerchantId::from_uuid(shop.merchant_id),
    };
    let facts = platform::audit::RequestFacts::default();
    let statement = statement::read(platform, reader, payout_id, &facts)
        .await
        .unwrap();
    assert_eq!(statement.items.len(), 1);
    let sale = &statement.items[0];
    assert_eq!(sale.kind, EntryKind::Release);
    assert_eq!(sale.reference.as_deref(), Some(order_id.as_str()));
    let eur = domain::Money::eur;
    assert_eq!(
        (sale.gross, sale.fee, sale.vat, sale.amount),
        (Some(eur(gross)), Some(eur(fee)), Some(eur(vat)), eur(net))
    );
    assert_eq!(statement.total(), Some(eur(amount)));
    let stranger = Reader::Member {
        user_id: shop.scope.user_id().unwrap(),
        merchant_id: domain::MerchantId::from_uuid(uuid::Uuid::new_v4()),
    };
    assert!(matches!(
        statement::read(platform, stranger, payout_id, &facts).await,
        Err(platform::payouts::PayoutError::NotFound)
    ));
}
