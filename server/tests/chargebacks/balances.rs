//! What a chargeback takes from the merchant's balance, and what a win or a loss moves.

use super::*;

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
        amount: domain::Money::eur(100),
        reason: "A returned item".into(),
    };
    let owner = platform::identity::users::load_active(&pool, world.users[&Actor::OwnerA])
        .await
        .unwrap()
        .unwrap();
    let requester =
        Requester::Merchant(platform::identity::roles::MerchantScope::of(&owner).unwrap());
    let made = refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
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
        amount: domain::Money::eur(600),
        reason: "Everything".into(),
    };
    let refused = refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
        &too_much,
        requester,
        &RequestFacts::default(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(PaymentError::RefundExceeds { remaining })
                if remaining == domain::Money::eur(500)
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
