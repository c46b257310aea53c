//! Who reaches the application: another merchant's ids, roles through the guard and
//! through each function's own check, submitting, and what the audit trail and the log hold.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::routing::post as post_route;
use leptos::prelude::provide_context;
use tracing_subscriber::fmt::MakeWriter;

use super::*;

/// An owner's complete application (the bank account item, slice B's, marked directly).
async fn complete_application(world: &World) {
    let pool = &world.server.platform.pool;
    let mut owner_a = visitor(world, Actor::OwnerA).await;
    assert_eq!(
        post(&mut owner_a, BUSINESS, &business()).await.status(),
        200
    );
    assert_eq!(
        post(&mut owner_a, PERSON, &representative()).await.status(),
        200
    );
    let person = people(pool, world.merchant_a).await[0];
    upload(
        &owner_a,
        "registration_certificate",
        None,
        "c.pdf",
        "application/pdf",
        &pdf("certificate"),
    )
    .await;
    upload(
        &owner_a,
        "bank_proof",
        None,
        "b.pdf",
        "application/pdf",
        &pdf("DOCUMENT-CONTENT-MARKER"),
    )
    .await;
    upload(
        &owner_a,
        "identity_front",
        Some(person),
        "f.png",
        "image/png",
        &png("front"),
    )
    .await;
    upload(
        &owner_a,
        "identity_back",
        Some(person),
        "b.png",
        "image/png",
        &png("back"),
    )
    .await;
    let mut conn = pool.acquire().await.unwrap();
    platform::kyc::mark_item(
        &mut conn,
        domain::MerchantId::from_uuid(world.merchant_a),
        platform::kyc::Item::BankAccount,
        true,
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchant_cannot_read_or_replace_documents_or_people_by_id(pool: PgPool) {
    let world = world(pool.clone()).await;
    complete_application(&world).await;
    let docs = documents(&pool, world.merchant_a).await;
    let person_a = people(&pool, world.merchant_a).await[0].to_string();
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    for (id, ..) in &docs {
        let response = owner_b.get(&format!("/api/kyc/files/{id}")).await;
        assert_eq!(response.status(), 404);
        assert_eq!(
            error_of(response).await,
            AppError::NotFound,
            "exactly like an unknown id"
        );
    }
    assert_eq!(
        owner_b
            .get(&format!("/api/kyc/files/{}", Uuid::new_v4()))
            .await
            .status(),
        404
    );
    assert_eq!(owner_b.get("/api/kyc/files/not-an-id").await.status(), 404);

    let edit = with(representative(), "person_id", &person_a);
    assert_eq!(
        error_of(post(&mut owner_b, PERSON, &edit).await).await,
        AppError::NotFound
    );
    assert_eq!(
        error_of(owner_b.post(REMOVE, &[("person_id", &person_a)]).await).await,
        AppError::NotFound
    );
    let replace = upload(
        &owner_b,
        "identity_front",
        Some(people(&pool, world.merchant_a).await[0]),
        "x.png",
        "image/png",
        &png("x"),
    )
    .await;
    assert_eq!(
        location(&replace),
        "/dashboard/verification?upload_error=person#documents"
    );
    assert_eq!(
        documents(&pool, world.merchant_a).await,
        docs,
        "merchant A's documents are untouched"
    );
    assert_eq!(people(&pool, world.merchant_b).await, Vec::<Uuid>::new());

    // Staff with merchants `view` read any merchant's document, audited as staff.
    let mut staff = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        staff
            .get(&format!("/api/admin/kyc/files/{}", docs[0].0))
            .await
            .status(),
        200
    );
    assert_eq!(
        visitor(&world, Actor::StaffWithoutModule)
            .await
            .get(&format!("/api/admin/kyc/files/{}", docs[0].0))
            .await
            .status(),
        403
    );
    assert_eq!(
        owner_b
            .get(&format!("/api/admin/kyc/files/{}", docs[0].0))
            .await
            .status(),
        403
    );
    let viewers: Vec<String> = sqlx::query_scalar(
        "SELECT actor_kind::text FROM audit.events WHERE event_type = 'kyc.document.view' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(viewers, ["staff"], "refused reads are not views");
}

/// Merchant A's second member (the world's viewer) in `role`.
async fn member_as<'a>(world: &'a World, role: &str) -> Visitor<'a> {
    let pool = &world.server.platform.pool;
    sqlx::query("UPDATE merchant_members SET role = $2::merchant_role WHERE user_id = $1")
        .bind(world.users[&Actor::ViewerA])
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
    visitor(world, Actor::ViewerA).await
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_developers_read_the_application_but_cannot_change_it(pool: PgPool) {
    let world = world(pool.clone()).await;
    complete_application(&world).await;
    let doc = documents(&pool, world.merchant_a).await[0].0;
    let person = people(&pool, world.merchant_a).await[0].to_string();
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let view: serde_json::Value = viewer
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["can_edit"], false);
    assert_eq!(
        viewer.get(&format!("/api/kyc/files/{doc}")).await.status(),
        200
    );
    assert_eq!(viewer.get("/dashboard/verification").await.status(), 200);
    let before = checklist(&pool, world.merchant_a).await;
    for role in ["viewer", "developer"] {
        let mut member = member_as(&world, role).await;
        for (path, form) in [
            (BUSINESS, with(business(), "registered_name", "Taken Over")),
            (PERSON, with(representative(), "person_id", &person)),
            (REMOVE, vec![("person_id", person.clone())]),
            (SUBMIT, vec![]),
        ] {
            assert_eq!(
                error_of(post(&mut member, path, &form).await).await,
                AppError::Forbidden,
                "{role} {path}"
            );
        }
        let response = upload(
            &member,
            "bank_proof",
            None,
            "x.pdf",
            "application/pdf",
            &pdf("x"),
        )
        .await;
        assert_eq!(response.status(), 403);
    }
    assert_eq!(checklist(&pool, world.merchant_a).await, before);
    assert_eq!(
        registered_name(&pool, world.merchant_a).await.as_deref(),
        Some("Dardania Crafts SH.P.K.")
    );
}

/// The functions' own checks, reached without the route guard in front: the server
/// functions and the file routes behind only the session layer.
#[sqlx::test(migrations = "../migrations")]
async fn each_function_checks_the_role_itself_behind_the_guard(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = world.server.platform.clone();
    let functions = {
        let platform = platform.clone();
        post_route(move |request: axum::http::Request<Body>| {
            let platform = platform.clone();
            async move {
                leptos_axum::handle_server_fns_with_context(
                    move || provide_context(platform.clone()),
                    request,
                )
                .await
            }
        })
    };
    let unguarded = axum::Router::new()
        .route("/api/{*function}", functions)
        .layer(server::session_layer(&platform));
    let files = server::kyc_files::routes()
        .with_state(platform.clone())
        .layer(server::session_layer(&platform));
    let mut bases = Vec::new();
    for app in [unguarded, files] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        bases.push(format!("http://{}", listener.local_addr().unwrap()));
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
    }
    let cookie = session_cookie(&world, Actor::ViewerA).await.unwrap();
    let client = reqwest::Client::new();
    for path in [BUSINESS, PERSON, REMOVE, SUBMIT] {
        let response = client
            .post(format!("{}{path}", bases[0]))
            .header("cookie", &cookie)
            .form(&business())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(
            response.json::<AppError>().await.unwrap(),
            AppError::Forbidden,
            "{path}"
        );
    }
    let upload = client
        .post(format!("{}/api/kyc/files", bases[1]))
        .header("cookie", &cookie)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nbank_proof\r\n--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 403);
    let anonymous = client
        .get(format!("{}/api/kyc/files/{}", bases[1], Uuid::new_v4()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let merchant_at_staff_route = client
        .get(format!(
            "{}/api/admin/kyc/files/{}",
            bases[1],
            Uuid::new_v4()
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(merchant_at_staff_route.status(), 403);
    assert_eq!(registered_name(&pool, world.merchant_a).await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_is_sent_only_when_complete_and_then_waits_for_staff(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        field_of(owner_a.post(SUBMIT, &[]).await).await,
        "application"
    );
    complete_application(&world).await;
    let view: serde_json::Value = owner_a
        .post("/api/kyc/verification", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["can_submit"], true);
    assert_eq!(owner_a.post(SUBMIT, &[]).await.status(), 200);
    let (status, submitted): (String, bool) =
        sqlx::query_as("SELECT status::text, submitted_at IS NOT NULL FROM kyc_applications WHERE merchant_id = $1")
            .bind(world.merchant_a)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), submitted), ("submitted", true));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'kyc.submit' AND merchant_id = $1",
    )
    .bind(world.merchant_a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // While staff review it, nothing changes and it is not sent twice.
    assert_eq!(
        field_of(post(&mut owner_a, BUSINESS, &business()).await).await,
        "application"
    );
    assert_eq!(
        field_of(owner_a.post(SUBMIT, &[]).await).await,
        "application"
    );
    let late = upload(
        &owner_a,
        "bank_proof",
        None,
        "b.pdf",
        "application/pdf",
        &pdf("late"),
    )
    .await;
    assert_eq!(
        location(&late),
        "/dashboard/verification?upload_error=closed#documents"
    );
}

/// Collects what the server logs, for the test to search.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn no_personal_number_name_or_document_reaches_the_audit_trail_or_the_log(pool: PgPool) {
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    // Global: the server's tasks may run on any of the runtime's threads. Each test runs in
    // a process of its own under nextest, and no other test of this file sets one.
    tracing::subscriber::set_global_default(subscriber)
        .expect("the first subscriber of this process");
    let world = world(pool.clone()).await;
    complete_application(&world).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    assert_eq!(post(&mut owner_a, PERSON, &owner("40")).await.status(), 200);
    let passport_holder = people(&pool, world.merchant_a).await[1];
    upload(
        &owner_a,
        "identity_front",
        Some(passport_holder),
        "p.png",
        "image/png",
        &png("passport"),
    )
    .await;
    // A refused edit and an undecryptable number take the error paths too.
    post(
        &mut owner_a,
        PERSON,
        &with(owner("41"), "personal_number", "X1234567"),
    )
    .await;
    sqlx::query("UPDATE kyc_people SET personal_number_enc = '\\x00'::bytea WHERE is_representative = false")
        .execute(&pool)
        .await
        .unwrap();
    owner_a.post("/api/kyc/verification", &[]).await;
    for doc in documents(&pool, world.merchant_a).await {
        owner_a.get(&format!("/api/kyc/files/{}", doc.0)).await;
    }
    assert_eq!(owner_a.post(SUBMIT, &[]).await.status(), 200);

    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' ', event_type, detail::text, reason, target_id) FROM audit.events WHERE event_type LIKE 'kyc.%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let audit = audit.join("\n");
    for event in [
        "kyc.business.save",
        "kyc.person.save",
        "kyc.document.upload",
        "kyc.document.view",
        "kyc.submit",
    ] {
        assert!(audit.contains(event), "{event} is audited:\n{audit}");
    }
    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(log.contains("does not decrypt"), "the log was captured");
    for secret in [
        REPRESENTATIVE_NUMBER,
        "C01X00T47",
        "X1234567",
        REPRESENTATIVE_NAME,
        "Lukas Becker",
        "DOCUMENT-CONTENT-MARKER",
        "Agim Ramadani",
    ] {
        assert!(!audit.contains(secret), "{secret} in the audit trail");
        assert!(!log.contains(secret), "{secret} in the log");
    }
}
