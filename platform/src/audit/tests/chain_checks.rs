//! Verifying the chain: tampering, removed rows, redaction, purging and concurrent writers.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_chain_of_events_verifies_and_the_check_is_recorded(pool: PgPool) {
    assert_eq!(
        verify_chain(&pool).await.unwrap(),
        ChainReport {
            rows_checked: 0,
            head: None,
            first_broken: None,
            unsealed: 0
        }
    );
    let ids = record_five(&pool).await;
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");

    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(report.rows_checked, 5);
    assert_eq!(report.first_broken, None);
    let head = head(&pool).await.unwrap().unwrap();
    assert_eq!(report.head, Some(head));
    assert_eq!(head.id, ids[4]);

    let check = last_check(&pool).await.unwrap().unwrap();
    assert_eq!(
        (check.rows_checked, check.head, check.first_broken),
        (5, Some(head), None)
    );
    assert!(check.checked_at <= OffsetDateTime::now_utc());

    // The first row links to zeros, and every other to its predecessor.
    let links: Vec<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT prev_hash, row_hash FROM audit.events ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(links[0].0, vec![0; 32]);
    assert!(links.windows(2).all(|pair| pair[1].0 == pair[0].1));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_row_changed_by_a_superuser_is_detected_at_that_row(pool: PgPool) {
    let ids = record_five(&pool).await;
    // As the server's sealing job does moments after each commit.
    assert_eq!(seal(&pool).await.unwrap(), 5);
    let third = ids[2];
    tamper(
        &pool,
        &format!("UPDATE audit.events SET reason = 'looks innocent' WHERE id = {third}"),
    )
    .await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, Some(third));

    // Put back, the chain verifies again: the check pins the change, not the table.
    tamper(
        &pool,
        &format!("UPDATE audit.events SET reason = NULL WHERE id = {third}"),
    )
    .await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);

    // A personal field is covered through the digest.
    let second = ids[1];
    tamper(
        &pool,
        &format!("UPDATE audit.events SET ip = '198.51.100.1' WHERE id = {second}"),
    )
    .await;
    assert_eq!(
        verify_chain(&pool).await.unwrap().first_broken,
        Some(second)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn rows_removed_from_the_middle_or_the_end_are_detected(pool: PgPool) {
    let ids = record_five(&pool).await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
    // The remaining links are intact; only the head of the previous check shows it.
    tamper(
        &pool,
        &format!("DELETE FROM audit.events WHERE id = {}", ids[4]),
    )
    .await;
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(
        (report.rows_checked, report.first_broken),
        (4, Some(ids[4]))
    );

    tamper(
        &pool,
        &format!("DELETE FROM audit.events WHERE id = {}", ids[1]),
    )
    .await;
    assert_eq!(
        verify_chain(&pool).await.unwrap().first_broken,
        Some(ids[2]),
        "the row after the gap"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn redaction_nulls_a_users_personal_fields_and_keeps_the_chain_valid(pool: PgPool) {
    let ids = record_five(&pool).await;
    let bob = Actor {
        kind: ActorKind::User,
        id: Some(Uuid::from_u128(0xB0B)),
    };
    let bobs = record_alone(&pool, &sign_in(bob), &facts()).await.unwrap();
    let digests_before: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT personal_digest FROM audit.events ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();

    let mut tx = pool.begin().await.unwrap();
    // Alice's three rows, and the denied attempt whose subject is the email, given here
    // in another case.
    let redacted = redact_personal(&mut tx, alice().id.unwrap(), "mallory@example.com")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(redacted, 4);

    type Personal = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<Vec<u8>>,
    );
    let rows: Vec<Personal> = sqlx::query_as(
        "SELECT id, ip, user_agent, subject_email, personal_salt FROM audit.events ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (id, ip, user_agent, email, salt) in &rows {
        if ids[..4].contains(id) {
            assert_eq!(
                (ip, user_agent, email, salt),
                (&None, &None, &None, &None),
                "row {id}"
            );
        }
    }
    let bobs_row = rows.iter().find(|row| row.0 == bobs).unwrap();
    assert_eq!(
        bobs_row.1.as_deref(),
        Some("203.0.113.7"),
        "another user's row is untouched"
    );
    assert!(bobs_row.4.is_some());

    let digests_after: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT personal_digest FROM audit.events ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(digests_before, digests_after);
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (6, None));

    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(
        redact_personal(&mut conn, alice().id.unwrap(), "mallory@example.com")
            .await
            .unwrap(),
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_purged_prefix_keeps_the_chain_verifiable_and_later_deletions_still_show(pool: PgPool) {
    let ids = record_five(&pool).await;
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
    // As a retention run five years on would: the two oldest rows go, leaving an anchor.
    let purged: i64 = sqlx::query_scalar(
        "SELECT audit.purge_through((SELECT seq FROM audit.events WHERE id = $1), now())",
    )
    .bind(ids[1])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(purged, 2);
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (3, None));
    // Rows written after the purge chain on from its anchor.
    record_alone(&pool, &sign_in(alice()), &facts())
        .await
        .unwrap();
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (4, None));
    // A row removed by hand after the anchor still breaks the chain.
    tamper(
        &pool,
        &format!("DELETE FROM audit.events WHERE id = {}", ids[2]),
    )
    .await;
    assert_eq!(
        verify_chain(&pool).await.unwrap().first_broken,
        Some(ids[3])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_may_purge_only_rows_past_five_years(pool: PgPool) {
    record_five(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET ROLE saleonix_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    let short = sqlx::query("SELECT audit.purge(30)")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(short.to_string().contains("at least 1825 days"), "{short}");
    let direct = sqlx::query("SELECT audit.purge_through(9999, now())")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert_eq!(
        sql_state(&direct),
        "42501",
        "only the five-year purge is the application's"
    );
    drop(conn);
    assert_eq!(
        purge_expired(&pool, 1825).await.unwrap(),
        0,
        "nothing here is five years old"
    );
    assert_eq!(count(&pool).await, 5);
    assert!(
        include_str!("../../../../migrations/20261201000001_audit_sealing.sql")
            .contains(&format!("pg_advisory_xact_lock({CHAIN_LOCK})")),
        "the purge takes the sealer's lock"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_writers_form_one_valid_chain(pool: PgPool) {
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..16 {
        let pool = pool.clone();
        tasks.spawn(async move {
            for n in 0..4 {
                let event = sign_in(alice()).detail(json!({"task": task, "n": n}));
                record_alone(&pool, &event, &facts()).await.unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (64, None));
}

#[sqlx::test(migrations = "../migrations")]
async fn rows_are_chained_in_the_order_they_commit_and_writers_never_wait(pool: PgPool) {
    // A writer whose transaction stays open holds nothing another writer needs.
    let mut slow = pool.begin().await.unwrap();
    let early = record(&mut slow, &sign_in(alice()), &facts())
        .await
        .unwrap();
    let later = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        record_alone(&pool, &sign_in(alice()), &facts()),
    )
    .await
    .expect("a second writer must not wait for the first one's commit")
    .unwrap();
    assert!(early < later);

    // Only the committed row is chained; the open one is not visible to the sealer.
    assert_eq!(seal(&pool).await.unwrap(), 1);
    assert_eq!(seal(&pool).await.unwrap(), 0, "nothing left to seal");
    slow.commit().await.unwrap();
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(
        (report.rows_checked, report.first_broken, report.unsealed),
        (2, None, 0)
    );
    // The row that committed last comes last in the chain, whatever its id.
    let order: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit.events ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(order, vec![later, early]);
    assert_eq!(
        report.head.map(|head| (head.id, head.seq)),
        Some((early, 2))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_sealers_at_once_chain_each_row_once(pool: PgPool) {
    for n in 0..(SEAL_BATCH + 200) {
        let event = sign_in(alice()).detail(json!({ "n": n }));
        let mut conn = pool.acquire().await.unwrap();
        record(&mut conn, &event, &facts()).await.unwrap();
    }
    let (a, b) = tokio::join!(seal(&pool), seal(&pool));
    let sealed = a.unwrap() + b.unwrap() + seal(&pool).await.unwrap();
    assert_eq!(sealed, (SEAL_BATCH + 200) as u64);
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(
        (report.rows_checked, report.first_broken, report.unsealed),
        (SEAL_BATCH + 200, None, 0)
    );
}
