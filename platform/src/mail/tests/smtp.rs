//! Delivery over SMTP: success, outages, giving up, and messages that cannot be sent.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn smtp_delivers_the_message(pool: PgPool) {
    let keys = keys(7);
    let smtp = FakeSmtp::start(Duration::ZERO).await;
    let id = queue(
        &pool,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    let transport = Transport::smtp(&smtp.url()).unwrap();
    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        1
    );
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert!(
        readable_body(&received[0]).contains(&format!("Confirm your address: {LINK}\n")),
        "{}",
        received[0]
    );
    assert!(received[0].contains("To: luan@example.com"));
    assert!(received[0].contains(&format!("Message-ID: <{id}@saleonix.test>")));
    assert_eq!(
        row(&pool, id).await,
        Row {
            attempts: 1,
            has_body: false,
            sent: true,
            failed: false,
            last_error: None
        }
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_smtp_outage_delays_the_message_and_a_later_pass_delivers_it(pool: PgPool) {
    let keys = keys(7);
    let smtp = FakeSmtp::start(Duration::ZERO).await;
    smtp.down.store(true, Ordering::SeqCst);
    let transport = Transport::smtp(&smtp.url()).unwrap();
    let id = queue(
        &pool,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;

    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        0
    );
    let after_outage = row(&pool, id).await;
    assert_eq!(
        (
            after_outage.attempts,
            after_outage.has_body,
            after_outage.sent,
            after_outage.failed
        ),
        (1, true, false, false)
    );
    let error = after_outage.last_error.unwrap();
    assert!(
        error.contains("421") && !error.contains("service not available"),
        "{error}"
    );
    let wait: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM mail_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        (20.0..=31.0).contains(&wait),
        "the first retry is in about 30 s, not {wait}"
    );

    smtp.down.store(false, Ordering::SeqCst);
    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    assert!(smtp.received().is_empty());

    make_due(&pool).await;
    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        row(&pool, id).await,
        Row {
            attempts: 2,
            has_body: false,
            sent: true,
            failed: false,
            last_error: None
        }
    );
    assert_eq!(smtp.received().len(), 1);
    assert!(readable_body(&smtp.received()[0]).contains(LINK));
}

#[sqlx::test(migrations = "../migrations")]
async fn after_max_attempts_the_message_is_failed_and_not_retried(pool: PgPool) {
    let keys = keys(7);
    // Nothing listens on this port: every attempt is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let transport = Transport::smtp(&format!("smtp://127.0.0.1:{port}").into()).unwrap();
    let id = queue(
        &pool,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    for attempt in 1..=3 {
        assert_eq!(
            deliver_due(&pool, &keys, &transport, &settings(3))
                .await
                .unwrap(),
            0
        );
        let now = row(&pool, id).await;
        assert_eq!(
            (now.attempts, now.failed, now.sent),
            (attempt, attempt == 3, false)
        );
        make_due(&pool).await;
    }
    assert!(row(&pool, id).await.last_error.unwrap().starts_with("SMTP"));

    let smtp = FakeSmtp::start(Duration::ZERO).await;
    let working = Transport::smtp(&smtp.url()).unwrap();
    assert_eq!(
        deliver_due(&pool, &keys, &working, &settings(3))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        row(&pool, id).await.attempts,
        3,
        "a failed message is left alone"
    );
    assert!(smtp.received().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_undecryptable_or_unaddressable_message_is_a_failed_attempt(pool: PgPool) {
    let dir = temp_dir();
    let transport = Transport::Mailbox(dir.clone());
    let wrong_key = queue(
        &pool,
        &keys(9),
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    let bad_to = queue(
        &pool,
        &keys(7),
        &mail("not an address", "Confirm your address"),
    )
    .await;
    let good = queue(
        &pool,
        &keys(7),
        &mail("arta@example.com", "Confirm your address"),
    )
    .await;
    assert_eq!(
        deliver_due(&pool, &keys(7), &transport, &settings(8))
            .await
            .unwrap(),
        1,
        "the others still go"
    );
    for (id, expected) in [
        (wrong_key, "does not decrypt"),
        (bad_to, "not a mail address"),
    ] {
        let row = row(&pool, id).await;
        assert_eq!(
            (row.attempts, row.has_body, row.sent, row.failed),
            (1, true, false, false)
        );
        assert!(
            row.last_error.as_deref().unwrap().contains(expected),
            "{:?}",
            row.last_error
        );
    }
    assert!(row(&pool, good).await.sent);
    assert_eq!(read_mailbox(&dir, 10).unwrap().len(), 1);
}
