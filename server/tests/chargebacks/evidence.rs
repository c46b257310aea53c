//! Who records and decides a chargeback, and the merchant's evidence until the deadline.

use super::*;

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
    assert_eq!(
        detail["receipt"]["amount"],
        serde_json::json!({ "minor": 1_000, "currency": "EUR" })
    );
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
