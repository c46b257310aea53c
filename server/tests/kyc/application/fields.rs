//! The application's fields and people: checked on the server, saved as drafts step by step.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn every_business_field_is_checked_and_a_bad_value_changes_nothing(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        post(&mut owner_a, BUSINESS, &business()).await.status(),
        200
    );
    let cases = [
        ("legal_form", "corporation"),
        ("registered_name", "  "),
        ("registration_number", "81012345"),
        ("fiscal_number", "60012345X"),
        ("vat_number", "33012345"),
        ("address_line", ""),
        ("city", ""),
        ("postal_code", "1000"),
        ("website", ""),
        ("category", "weapons"),
        ("monthly_volume", "twenty thousand"),
        ("average_ticket", "0"),
    ];
    for (field, bad) in cases {
        let form = with(
            with(business(), "registered_name", "Changed Name SH.P.K."),
            field,
            bad,
        );
        let form = if field == "registered_name" {
            with(business(), field, bad)
        } else {
            form
        };
        assert_eq!(
            field_of(post(&mut owner_a, BUSINESS, &form).await).await,
            field,
            "{field}={bad:?}"
        );
        assert_eq!(
            registered_name(&pool, world.merchant_a).await.as_deref(),
            Some("Dardania Crafts SH.P.K."),
            "{field}"
        );
    }
    // The average payment cannot exceed the month's volume.
    let form = with(
        with(business(), "monthly_volume", "100"),
        "average_ticket",
        "100.01",
    );
    assert_eq!(
        field_of(post(&mut owner_a, BUSINESS, &form).await).await,
        "average_ticket"
    );
    let (volume, ticket): (i64, i64) = sqlx::query_as(
        "SELECT monthly_volume_minor, average_ticket_minor FROM kyc_applications WHERE merchant_id = $1",
    )
    .bind(world.merchant_a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (volume, ticket),
        (2_000_000, 3550),
        "amounts are integer cents"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_is_saved_as_a_draft_step_by_step(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let view: serde_json::Value = owner_a
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "draft");
    let items: Vec<&str> = view["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        items, ["missing"; 6],
        "every item is shown, even before anything is saved"
    );

    assert_eq!(
        post(&mut owner_a, BUSINESS, &business()).await.status(),
        200
    );
    assert_eq!(
        state(&pool, world.merchant_a, "business").await,
        "submitted"
    );
    assert_eq!(state(&pool, world.merchant_a, "people").await, "missing");
    assert_eq!(
        post(&mut owner_a, PERSON, &representative()).await.status(),
        200
    );
    assert_eq!(state(&pool, world.merchant_a, "people").await, "submitted");
    assert_eq!(
        state(&pool, world.merchant_a, "identity_documents").await,
        "missing"
    );

    let view: serde_json::Value = owner_a
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "draft");
    assert_eq!(view["business"]["registration_number"], "810123456");
    assert_eq!(view["business"]["average_ticket"], "35.50");
    let person = &view["people"][0];
    assert_eq!(person["personal_number_masked"], "•••••••890");
    assert!(
        !view.to_string().contains(REPRESENTATIVE_NUMBER),
        "the number leaves the server masked only"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn people_follow_the_rules_of_one_representative_and_owners_to_100_percent(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    // A Kosovo personal number has ten digits; a passport 6 to 9 characters.
    let short = with(representative(), "personal_number", "123456789");
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &short).await).await,
        "personal_number"
    );
    let minor = with(representative(), "date_of_birth", "2015-01-01");
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &minor).await).await,
        "date_of_birth"
    );
    let no_date = with(representative(), "date_of_birth", "2001-02-30");
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &no_date).await).await,
        "date_of_birth"
    );
    let pep = with(representative(), "is_pep", "yes");
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &pep).await).await,
        "pep_details"
    );
    assert!(
        people(&pool, world.merchant_a).await.is_empty(),
        "nothing saved half-way"
    );

    assert_eq!(
        post(&mut owner_a, PERSON, &representative()).await.status(),
        200
    );
    let second = with(representative(), "full_name", "Arben Gashi");
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &second).await).await,
        "role",
        "exactly one representative"
    );
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &owner("24")).await).await,
        "ownership_percent"
    );
    assert_eq!(
        field_of(post(&mut owner_a, PERSON, &owner("41")).await).await,
        "ownership_percent",
        "60 + 41 > 100"
    );
    assert_eq!(post(&mut owner_a, PERSON, &owner("40")).await.status(), 200);
    assert_eq!(people(&pool, world.merchant_a).await.len(), 2);

    // Changing a person without typing the number again keeps it.
    let representative_id = people(&pool, world.merchant_a).await[0];
    let change = with(
        with(representative(), "personal_number", ""),
        "person_id",
        &representative_id.to_string(),
    );
    let change = with(change, "address", "Rr. UÇK 1, Prishtinë");
    assert_eq!(post(&mut owner_a, PERSON, &change).await.status(), 200);
    let view: serde_json::Value = owner_a
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["people"][0]["personal_number_masked"], "•••••••890");
    assert_eq!(view["people"][0]["address"], "Rr. UÇK 1, Prishtinë");

    // Removing the representative keeps the row but empties the People item.
    let removed = owner_a
        .post(REMOVE, &[("person_id", &representative_id.to_string())])
        .await;
    assert_eq!(removed.status(), 200);
    assert_eq!(state(&pool, world.merchant_a, "people").await, "missing");
    let kept: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM kyc_people WHERE id = $1 AND removed_at IS NOT NULL",
    )
    .bind(representative_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept, 1, "a removed person is kept as evidence");
    assert_eq!(
        owner_a
            .post(REMOVE, &[("person_id", &representative_id.to_string())])
            .await
            .status(),
        404
    );
}
