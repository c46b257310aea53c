//! Entering the first payout account: field errors, encryption at rest and the masked view.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_iban_or_holder_is_a_field_error_and_saves_nothing(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let mut owner = visitor(&world, Actor::OwnerA).await;

    // Before the business details exist the holder cannot be checked: refused, said so.
    let (field, message) =
        field_of(error_of(set(&mut owner, "Dardania Crafts", KOSOVO).await).await);
    assert_eq!(field, "holder_name");
    assert!(message.contains("business details first"), "{message}");

    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        Some("Dardania Crafts"),
    )
    .await;
    let typo = "XK051212012345678916";
    let swapped = "XK051212012345678960";
    for (holder, iban, field, words) in [
        ("Dardania Crafts", typo, "iban", "check digits"),
        ("Dardania Crafts", swapped, "iban", "check digits"),
        (
            "Dardania Crafts",
            "XK05121201234567890",
            "iban",
            "20 characters",
        ),
        (
            "Dardania Crafts",
            "QQ051212012345678906",
            "iban",
            "country QQ",
        ),
        (
            "Dardania Crafts",
            "XK05 1212 0123 4567 89O6",
            "iban",
            "not how an IBAN of XK",
        ),
        ("Dardania Crafts", "", "iban", "Enter the IBAN"),
        ("", KOSOVO, "holder_name", "holder's name"),
        (
            "Prizren Filigree",
            KOSOVO,
            "holder_name",
            "registered or trading name",
        ),
    ] {
        let response = set(&mut owner, holder, iban).await;
        assert_eq!(response.status(), 422, "{holder} {iban}");
        let body = response.text().await.unwrap();
        assert_no_iban(&body, KOSOVO, "the error");
        let (got, message) = field_of(serde_json::from_str(&body).unwrap());
        assert_eq!(got, field, "{message}");
        assert!(message.contains(words), "{message}");
    }
    assert!(accounts(&world, world.merchant_a).await.is_empty());
    assert!(audit_rows(&world, "bank_account.change").await.is_empty());
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "missing"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_first_account_is_stored_encrypted_shown_masked_and_paid_at_once(pool: PgPool) {
    let log = captured_log();
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        Some("Dardania Crafts"),
    )
    .await;
    let mut owner = visitor(&world, Actor::OwnerA).await;

    // Case, marks and spaces aside, the trading name is the holder.
    let response = set(
        &mut owner,
        "  DARDANIA   crafts ",
        " xk05 1212 0123 4567 8906 ",
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert_no_iban(&body, KOSOVO, "the answer");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["iban_masked"], MASKED);
    assert_eq!(
        answer["on_hold"], false,
        "the first account is paid at once"
    );
    assert_eq!(answer["holder_name"], "DARDANIA crafts");

    let stored = accounts(&world, world.merchant_a).await;
    assert_eq!(stored.len(), 1);
    let (id, sealed, masked, _) = &stored[0];
    assert_eq!(masked, MASKED);
    assert!(
        !sealed.windows(KOSOVO.len()).any(|w| w == KOSOVO.as_bytes()),
        "the stored bytes hold the IBAN"
    );
    assert!(!sealed.windows(8).any(|w| w == &KOSOVO.as_bytes()[4..12]));
    let keys = &world.server.platform.config.secrets.field_keys;
    let row = id.to_string();
    assert!(keys.decrypt(slot(&row), sealed).is_ok());
    assert!(
        keys.decrypt(slot(&uuid::Uuid::new_v4().to_string()), sealed)
            .is_err(),
        "bound to its row"
    );

    // The ciphertext copied onto merchant B's account does not decrypt there.
    business(
        pool,
        world.merchant_b,
        "llc",
        "Prizren Filigree SH.P.K.",
        None,
    )
    .await;
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    let other = iban("XK", "1701012345678912");
    assert_eq!(
        set(&mut owner_b, "Prizren Filigree SH.P.K.", &other)
            .await
            .status(),
        200
    );
    sqlx::query("UPDATE bank_accounts SET iban_enc = $1 WHERE merchant_id = $2")
        .bind(sealed)
        .bind(world.merchant_b)
        .execute(pool)
        .await
        .unwrap();
    let mut staff = visitor(&world, Actor::StaffView).await;
    let moved = staff
        .post(REVEAL, &[("merchant_id", &world.merchant_b.to_string())])
        .await;
    let (field, message) = field_of(error_of(moved).await);
    assert_eq!(field, "application");
    assert!(message.contains("cannot be read"), "{message}");

    // Every member reads it masked; the checklist item waits for review; the audit row
    // names the account only.
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let read = viewer.post(READ, &[]).await.text().await.unwrap();
    assert_no_iban(&read, KOSOVO, "the viewer's answer");
    let read: serde_json::Value = serde_json::from_str(&read).unwrap();
    assert_eq!(
        (
            read["account"]["iban_masked"].as_str(),
            read["can_change"].as_bool()
        ),
        (Some(MASKED), Some(false))
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "submitted"
    );
    let rows = audit_rows(&world, "bank_account.change").await;
    assert_eq!(rows.len(), 2);
    assert!(rows[0].2.contains(&row), "{}", rows[0].2);
    for (_, _, text) in &rows {
        assert_no_iban(text, KOSOVO, "the audit row");
        assert!(
            !text.contains("8906") && !text.contains("****"),
            "not even masked: {text}"
        );
    }
    assert!(
        mails_to(&world.server, "ownera@example.com")
            .await
            .is_empty(),
        "no notice for the first account"
    );
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(!log.is_empty(), "the log was captured");
    assert_no_iban(&log, KOSOVO, "the server log");
    assert_no_iban(&log, &other, "the server log");
}
