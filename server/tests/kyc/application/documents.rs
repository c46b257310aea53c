//! Numbers and files: encrypted at rest, judged by content, complete per person.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn numbers_and_files_are_encrypted_at_rest_and_bound_to_their_row(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    post(&mut owner_a, PERSON, &representative()).await;
    post(&mut owner_a, PERSON, &owner("40")).await;
    let marker = "SECRET-BANK-LETTER-CONTENT-4417";
    assert_eq!(
        location(
            &upload(
                &owner_a,
                "bank_proof",
                None,
                "letter.pdf",
                "application/pdf",
                &pdf(marker)
            )
            .await
        ),
        "/dashboard/verification?uploaded=bank_proof#documents"
    );
    assert_eq!(
        location(
            &upload(
                &owner_a,
                "registration_certificate",
                None,
                "c.pdf",
                "application/pdf",
                &pdf("other")
            )
            .await
        ),
        "/dashboard/verification?uploaded=registration_certificate#documents"
    );

    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT personal_number_enc FROM kyc_people")
        .fetch_all(&pool)
        .await
        .unwrap();
    let stored_files: Vec<Vec<u8>> = sqlx::query_scalar("SELECT content_enc FROM kyc_documents")
        .fetch_all(&pool)
        .await
        .unwrap();
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    for bytes in &stored {
        assert!(
            !contains(bytes, REPRESENTATIVE_NUMBER.as_bytes()) && !contains(bytes, b"C01X00T47")
        );
    }
    for bytes in &stored_files {
        assert!(!contains(bytes, marker.as_bytes()) && !contains(bytes, b"%PDF"));
    }

    // The representative's ciphertext copied onto the owner's row does not decrypt there.
    let ids = people(&pool, world.merchant_a).await;
    sqlx::query("UPDATE kyc_people SET personal_number_enc = (SELECT personal_number_enc FROM kyc_people WHERE id = $1) WHERE id = $2")
        .bind(ids[0])
        .bind(ids[1])
        .execute(&pool)
        .await
        .unwrap();
    let view: serde_json::Value = owner_a
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["people"][1]["personal_number_masked"],
        "(cannot be read)"
    );

    // A document's ciphertext copied onto another document does not decrypt either.
    let docs = documents(&pool, world.merchant_a).await;
    let (letter, certificate) = (docs[0].0, docs[1].0);
    let before = owner_a.get(&format!("/api/kyc/files/{letter}")).await;
    assert_eq!(before.status(), 200);
    assert!(contains(&before.bytes().await.unwrap(), marker.as_bytes()));
    sqlx::query("UPDATE kyc_documents SET content_enc = (SELECT content_enc FROM kyc_documents WHERE id = $1) WHERE id = $2")
        .bind(letter)
        .bind(certificate)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        owner_a
            .get(&format!("/api/kyc/files/{certificate}"))
            .await
            .status(),
        404
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn files_are_judged_by_their_content_and_size_before_anything_is_stored(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    // A PNG named .pdf, sent as a PDF, is a PNG.
    let response = upload(
        &owner_a,
        "registration_certificate",
        None,
        "certificate.pdf",
        "application/pdf",
        &png("x"),
    )
    .await;
    assert_eq!(
        location(&response),
        "/dashboard/verification?uploaded=registration_certificate#documents"
    );
    assert_eq!(documents(&pool, world.merchant_a).await[0].2, "image/png");
    let download = owner_a
        .get(&format!(
            "/api/kyc/files/{}",
            documents(&pool, world.merchant_a).await[0].0
        ))
        .await;
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.headers()["cache-control"], "no-store");
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"registration_certificate-")
            && disposition.ends_with(".png\"")
    );

    let refused: [(&str, &[u8]); 4] = [
        ("page.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("archive.pdf", b"PK\x03\x04\x14\x00\x00\x00"),
        ("empty.pdf", b""),
    ];
    for (name, bytes) in refused {
        let response = upload(&owner_a, "bank_proof", None, name, "application/pdf", bytes).await;
        let expected = if bytes.is_empty() { "empty" } else { "type" };
        assert_eq!(
            location(&response),
            format!("/dashboard/verification?upload_error={expected}#documents"),
            "{name}"
        );
    }
    let mut big = pdf("big");
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let response = upload(
        &owner_a,
        "bank_proof",
        None,
        "big.pdf",
        "application/pdf",
        &big,
    )
    .await;
    assert_eq!(
        location(&response),
        "/dashboard/verification?upload_error=size#documents"
    );
    // Far past the body limit: refused by the limit, still an answer the page explains.
    big.resize(11 * 1024 * 1024, b' ');
    let response = upload(
        &owner_a,
        "bank_proof",
        None,
        "huge.pdf",
        "application/pdf",
        &big,
    )
    .await;
    assert_eq!(
        location(&response),
        "/dashboard/verification?upload_error=size#documents"
    );
    assert_eq!(document_count(&pool).await, 1, "nothing refused was stored");
    assert_eq!(
        state(&pool, world.merchant_a, "bank_proof").await,
        "missing"
    );

    // A new file of the same kind replaces the current one, which is kept.
    upload(
        &owner_a,
        "registration_certificate",
        None,
        "new.pdf",
        "application/pdf",
        &pdf("new"),
    )
    .await;
    assert_eq!(document_count(&pool).await, 2);
    assert_eq!(documents(&pool, world.merchant_a).await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn identity_documents_are_complete_when_every_person_has_their_sides(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    post(&mut owner_a, PERSON, &representative()).await;
    post(&mut owner_a, PERSON, &owner("40")).await;
    let ids = people(&pool, world.merchant_a).await;
    let (card, passport) = (ids[0], ids[1]);
    upload(
        &owner_a,
        "identity_front",
        Some(card),
        "f.jpg",
        "image/jpeg",
        &[0xFF, 0xD8, 0xFF, 0xE0, 1],
    )
    .await;
    upload(
        &owner_a,
        "identity_front",
        Some(passport),
        "p.png",
        "image/png",
        &png("p"),
    )
    .await;
    assert_eq!(
        state(&pool, world.merchant_a, "identity_documents").await,
        "missing",
        "the ID card's back is missing"
    );
    let back = upload(
        &owner_a,
        "identity_back",
        Some(passport),
        "b.png",
        "image/png",
        &png("b"),
    )
    .await;
    assert_eq!(
        location(&back),
        "/dashboard/verification?upload_error=passport_back#documents"
    );
    let none = upload(
        &owner_a,
        "identity_front",
        None,
        "f.png",
        "image/png",
        &png("n"),
    )
    .await;
    assert_eq!(
        location(&none),
        "/dashboard/verification?upload_error=person#documents"
    );
    upload(
        &owner_a,
        "identity_back",
        Some(card),
        "b.jpg",
        "image/jpeg",
        &[0xFF, 0xD8, 0xFF, 0xE1, 2],
    )
    .await;
    assert_eq!(
        state(&pool, world.merchant_a, "identity_documents").await,
        "submitted"
    );
    // The owner now holds an ID card: its back is missing, so the item is again.
    let change = with(
        with(owner("40"), "person_id", &passport.to_string()),
        "identity_document",
        "id_card",
    );
    assert_eq!(
        post(&mut owner_a, PERSON, &with(change, "personal_number", ""))
            .await
            .status(),
        200
    );
    assert_eq!(
        state(&pool, world.merchant_a, "identity_documents").await,
        "missing"
    );
}

/// The data-subject tooling and the AML retention find personal data by these marks.
#[sqlx::test(migrations = "../migrations")]
async fn personal_fields_are_marked_in_the_schema(pool: PgPool) {
    let marked: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname || '.' || a.attname FROM pg_description d
         JOIN pg_class c ON c.oid = d.objoid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
         WHERE d.description LIKE 'personal:%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for column in [
        "kyc_people.full_name",
        "kyc_people.date_of_birth",
        "kyc_people.nationality",
        "kyc_people.personal_number_enc",
        "kyc_people.address",
        "kyc_people.is_pep",
        "kyc_people.identity_document",
        "kyc_applications.pep_details",
        "kyc_documents.content_enc",
        "bank_accounts.holder_name",
        "bank_accounts.iban_enc",
        "sanctions_hits.subject_name",
    ] {
        assert!(
            marked.iter().any(|m| m == column),
            "{column} is not marked as personal data"
        );
    }
}
