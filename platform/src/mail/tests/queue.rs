//! The outbox: encrypted bodies, transactions, and delivering each message once across instances.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn enqueue_stores_the_body_encrypted_only(pool: PgPool) {
    let keys = keys(7);
    let id = queue(
        &pool,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    let (to, subject, body): (String, String, Vec<u8>) =
        sqlx::query_as("SELECT to_address, subject, body FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (to.as_str(), subject.as_str()),
        ("luan@example.com", "Confirm your address")
    );
    assert!(
        !body.windows(LINK.len()).any(|w| w == LINK.as_bytes()),
        "the link is not stored in plain text"
    );
    assert!(
        !body.windows(9).any(|w| w == b"Zm9vYmFyL"),
        "nor is the token"
    );
    let plain = keys.decrypt(body_slot(&id.to_string()), &body).unwrap();
    assert!(String::from_utf8_lossy(plain.expose_secret()).contains(LINK));
    let stored_as_text: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE encode(body, 'escape') LIKE '%verify-email%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored_as_text, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn mail_queued_in_a_rolled_back_transaction_is_never_sent(pool: PgPool) {
    let keys = keys(7);
    let mut tx = pool.begin().await.unwrap();
    enqueue(
        &mut tx,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let dir = temp_dir();
    assert_eq!(
        deliver_due(&pool, &keys, &Transport::Mailbox(dir.clone()), &settings(8))
            .await
            .unwrap(),
        0
    );
    assert!(read_mailbox(&dir, 10).unwrap().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn two_instances_deliver_each_message_exactly_once(pool: PgPool) {
    let keys = keys(7);
    // Slow enough that the two instances overlap on every message.
    let smtp = FakeSmtp::start(Duration::from_millis(30)).await;
    for n in 0..12 {
        queue(
            &pool,
            &keys,
            &mail("luan@example.com", &format!("message {n}")),
        )
        .await;
    }
    let second = PgPoolOptions::new()
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let (a, b) = (
        Transport::smtp(&smtp.url()).unwrap(),
        Transport::smtp(&smtp.url()).unwrap(),
    );
    let settings = settings(8);
    let (sent_a, sent_b) = tokio::join!(
        deliver_due(&pool, &keys, &a, &settings),
        deliver_due(&second, &keys, &b, &settings),
    );
    let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
    assert_eq!(sent_a + sent_b, 12);
    assert!(
        sent_a > 0 && sent_b > 0,
        "both instances worked: {sent_a} and {sent_b}"
    );
    let mut subjects: Vec<String> = smtp
        .received()
        .iter()
        .filter_map(|data| {
            data.lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
        })
        .collect();
    subjects.sort();
    let mut expected: Vec<String> = (0..12).map(|n| format!("message {n}")).collect();
    expected.sort();
    assert_eq!(subjects, expected, "each message exactly once");
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_worker_delivers_queued_mail_until_aborted(pool: PgPool) {
    let dir = temp_dir();
    let config = Arc::new(config(Environment::Development, None, dir.clone()));
    let transport = Transport::from_config(&config).unwrap();
    let worker = tokio::spawn(run_worker(
        pool.clone(),
        config.clone(),
        transport,
        std::future::pending(),
    ));
    queue(
        &pool,
        &config.secrets.field_keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while read_mailbox(&dir, 10).unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker did not deliver"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    assert!(worker.await.unwrap_err().is_cancelled());
    queue(
        &pool,
        &config.secrets.field_keys,
        &mail("arta@example.com", "Confirm your address"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        read_mailbox(&dir, 10).unwrap().len(),
        1,
        "an aborted worker sends nothing more"
    );
}
