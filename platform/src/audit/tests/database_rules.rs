//! What the database enforces: the trigger, the application role's grants, rolled-back actions.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn the_trigger_refuses_changes_and_deletes_even_for_a_superuser(pool: PgPool) {
    let ids = record_five(&pool).await;
    let first = ids[0];
    for sql in [
        format!("UPDATE audit.events SET reason = 'x' WHERE id = {first}"),
        format!("UPDATE audit.events SET ip = '198.51.100.1' WHERE id = {first}"),
        // Redaction is all or nothing: a salt left beside a changed field is refused.
        format!("UPDATE audit.events SET ip = NULL WHERE id = {first}"),
        format!(
            "UPDATE audit.events SET ip = NULL, user_agent = NULL, subject_email = NULL, personal_salt = NULL, reason = 'x' WHERE id = {first}"
        ),
        format!("DELETE FROM audit.events WHERE id = {first}"),
        "DELETE FROM audit.events WHERE false".into(),
        "TRUNCATE audit.events".into(),
        "UPDATE audit.chain_checks SET rows_checked = 0".into(),
        "DELETE FROM audit.chain_checks".into(),
        // A sealed row is sealed for good: neither moved in the chain nor unsealed.
        format!("UPDATE audit.events SET seq = seq + 100 WHERE id = {first}"),
        format!(
            "UPDATE audit.events SET seq = NULL, prev_hash = NULL, row_hash = NULL WHERE id = {first}"
        ),
    ] {
        let error = sqlx::query(&sql).execute(&pool).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(count(&pool).await, 5);
    // The one change it allows.
    sqlx::query(&format!(
        "UPDATE audit.events SET ip = NULL, user_agent = NULL, subject_email = NULL, personal_salt = NULL WHERE id = {first}"
    ))
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_role_may_insert_read_and_redact_but_not_change_or_delete(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET ROLE saleonix_app")
        .execute(&mut *conn)
        .await
        .unwrap();

    let mut tx = conn.begin().await.unwrap();
    let id = record(&mut tx, &sign_in(alice()), &facts()).await.unwrap();
    tx.commit().await.unwrap();
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reason FROM audit.events WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(reason, None);

    for sql in [
        "UPDATE audit.events SET reason = 'x'",
        "UPDATE audit.events SET seq = 1, reason = 'x'",
        "DELETE FROM audit.events",
        "TRUNCATE audit.events",
        "UPDATE audit.chain_checks SET rows_checked = 0",
    ] {
        let error = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
        assert_eq!(
            sql_state(&error),
            "42501",
            "{sql} must be denied by the grants: {error}"
        );
    }
    // The application seals: its grant covers the chain columns, and the trigger holds
    // it to sealing rows not sealed yet.
    let app_pool = crate::db::as_application_role(&pool).await;
    assert_eq!(seal(&app_pool).await.unwrap(), 1);
    for sql in [
        "UPDATE audit.events SET row_hash = prev_hash",
        "UPDATE audit.events SET seq = NULL, prev_hash = NULL, row_hash = NULL",
    ] {
        let error = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(
        redact_personal(&mut conn, alice().id.unwrap(), "alice@example.com")
            .await
            .unwrap(),
        1
    );
    drop(conn);

    // Verifying, which records its check, works as the application too.
    let report = verify_chain(&app_pool).await.unwrap();
    assert_eq!((report.rows_checked, report.first_broken), (1, None));
    assert_eq!(
        last_check(&app_pool).await.unwrap().unwrap().rows_checked,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sealing_may_set_only_the_chain_columns_of_an_unsealed_row(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let id = record(&mut conn, &sign_in(alice()), &facts())
        .await
        .unwrap();
    let hashes =
        "prev_hash = decode(repeat('00', 32), 'hex'), row_hash = decode(repeat('11', 32), 'hex')";
    let error = sqlx::query(&format!(
        "UPDATE audit.events SET seq = 1, {hashes}, reason = 'x' WHERE id = {id}"
    ))
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    let error = sqlx::query(&format!("UPDATE audit.events SET seq = 1 WHERE id = {id}"))
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("events_sealed_whole"),
        "a position without hashes: {error}"
    );
    assert_eq!(seal(&pool).await.unwrap(), 1);
    assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_action_rolled_back_leaves_no_audit_row(pool: PgPool) {
    let mut tx = pool.begin().await.unwrap();
    record(&mut tx, &sign_in(alice()), &facts()).await.unwrap();
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit.events")
            .fetch_one(&mut *tx)
            .await
            .unwrap(),
        1,
        "visible inside its transaction"
    );
    tx.rollback().await.unwrap();
    assert_eq!(count(&pool).await, 0);

    // The id it drew is a gap, which the chain does not mind.
    let id = record_alone(&pool, &sign_in(alice()), &facts())
        .await
        .unwrap();
    assert_eq!(count(&pool).await, 1);
    let report = verify_chain(&pool).await.unwrap();
    assert_eq!(
        (
            report.rows_checked,
            report.first_broken,
            report.head.map(|h| h.id)
        ),
        (1, None, Some(id))
    );
}
