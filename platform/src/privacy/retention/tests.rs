//! Each rule against rows made old by explicit timestamps: one just past its period goes,
//! one just inside stays, and records the law keeps are never touched.

use sqlx::PgPool;
use uuid::Uuid;

use super::*;

/// An account created `age` ago (a Postgres interval), verified or not.
async fn user(pool: &PgPool, age: &str, verified: bool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, created_at, email_verified_at)
         VALUES ($1, $2, 'Test Person', 'merchant', '$argon2id$x', now() - $3::interval,
                 CASE WHEN $4 THEN now() - $3::interval END)",
    )
    .bind(id)
    .bind(format!("{id}@example.com"))
    .bind(age)
    .bind(verified)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// What a sign-up `age` ago made: the owner (verified or not) and their merchant.
async fn sign_up(pool: &PgPool, age: &str, verified: bool) -> (Uuid, Uuid) {
    let owner = user(pool, age, verified).await;
    let merchant = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, business_name, created_at) VALUES ($1, 'Shop', now() - $2::interval)")
        .bind(merchant)
        .bind(age)
        .execute(pool)
        .await
        .unwrap();
    member(pool, merchant, owner, "owner").await;
    (owner, merchant)
}

async fn member(pool: &PgPool, merchant: Uuid, user: Uuid, role: &str) {
    sqlx::query(
        "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3::text::merchant_role)",
    )
    .bind(merchant)
    .bind(user)
    .bind(role)
    .execute(pool)
    .await
    .unwrap();
}

async fn exists(pool: &PgPool, table: &str, id: Uuid) -> bool {
    sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"
    ))
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A checkout of `merchant` in `status` that expired `expired_ago`, with a buyer email.
async fn checkout(pool: &PgPool, merchant: Uuid, status: &str, expired_ago: &str) -> Uuid {
    let id = Uuid::new_v4();
    let token = format!("cs_{}", &id.simple().to_string()[..22]);
    sqlx::query(
        "INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, buyer_email,
                                        status, created_at, expires_at, paid_at)
         VALUES ($1, $2, 'test', $3, 1250, 'EUR', 'buyer@example.com', $4::text::checkout_status,
                 now() - $5::interval - interval '1 hour', now() - $5::interval,
                 CASE WHEN $4 = 'paid' THEN now() - $5::interval - interval '30 minutes' END)",
    )
    .bind(id)
    .bind(merchant)
    .bind(token)
    .bind(status)
    .bind(expired_ago)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A declined payment attempt on a checkout of `merchant`: money never moved, and still
/// the payment record AML law keeps.
async fn declined_payment(pool: &PgPool, merchant: Uuid) {
    sqlx::query(
        "INSERT INTO gateway_accounts (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc)
         VALUES ('test', 'https://gate.example/fim/est3Dgate', 'https://gate.example/fim/api', '190100000', 'api', '\\x00', '\\x00')
         ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await
    .unwrap();
    let session = checkout(pool, merchant, "expired", "1 day").await;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, mode, session_id, order_id, gateway_client_id, amount_minor,
                               currency, status, buyer_email, buyer_locale)
         VALUES ($1, $2, 'test', $3, $4, '190100000', 1250, 'EUR', 'declined', 'buyer@example.com', 'sq')",
    )
    .bind(id)
    .bind(merchant)
    .bind(session)
    .bind(&id.simple().to_string()[..20])
    .execute(pool)
    .await
    .unwrap();
}

async fn buyer_email(pool: &PgPool, checkout: Uuid) -> Option<String> {
    sqlx::query_scalar("SELECT buyer_email FROM checkout_sessions WHERE id = $1")
        .bind(checkout)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A mail sent (`sent`) or given up on, that long ago.
async fn mail(pool: &PgPool, sent: bool, ago: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO mail_outbox (id, to_address, subject, body, created_at, attempts, sent_at, failed_at)
         VALUES ($1, 'someone@example.com', 'Hello', CASE WHEN $2 THEN NULL ELSE '\\x00'::bytea END,
                 now() - $3::interval - interval '1 hour', 1,
                 CASE WHEN $2 THEN now() - $3::interval END,
                 CASE WHEN NOT $2 THEN now() - $3::interval END)",
    )
    .bind(id)
    .bind(sent)
    .bind(ago)
    .execute(pool)
    .await
    .unwrap();
    id
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unverified_sign_up_goes_after_30_days_with_its_merchant_and_nothing_verified_does(
    pool: PgPool,
) {
    let (old, old_merchant) = sign_up(&pool, "31 days", false).await;
    let (young, young_merchant) = sign_up(&pool, "29 days", false).await;
    let (verified, verified_merchant) = sign_up(&pool, "3 years", true).await;
    let verified_alone = user(&pool, "3 years", true).await;
    // What the audit trail held about the sign-up: the row stays, the address goes.
    let mut conn = pool.acquire().await.unwrap();
    let event = Event::new(
        "auth.sign_up",
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
        },
        Outcome::Success,
    )
    .target("user", old.to_string())
    .subject_email(format!("{old}@example.com"));
    let facts = RequestFacts {
        ip: Some("203.0.113.9".into()),
        ..RequestFacts::default()
    };
    let audited = audit::record(&mut conn, &event, &facts).await.unwrap();

    let swept = sweep(&pool).await.unwrap();

    assert_eq!(swept.unverified_sign_ups, 1);
    assert_eq!(swept.unverified_kept, 0);
    assert!(!exists(&pool, "users", old).await);
    assert!(!exists(&pool, "merchants", old_merchant).await);
    assert!(exists(&pool, "users", young).await);
    assert!(exists(&pool, "merchants", young_merchant).await);
    assert!(exists(&pool, "users", verified).await);
    assert!(exists(&pool, "merchants", verified_merchant).await);
    assert!(exists(&pool, "users", verified_alone).await);
    let (still_there, email, ip): (bool, Option<String>, Option<String>) =
        sqlx::query_as("SELECT true, subject_email, ip FROM audit.events WHERE id = $1")
            .bind(audited)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(still_there);
    assert_eq!((email, ip), (None, None));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unverified_owner_of_a_merchant_with_a_payment_is_kept(pool: PgPool) {
    let (owner, merchant) = sign_up(&pool, "200 days", false).await;
    declined_payment(&pool, merchant).await;

    let swept = sweep(&pool).await.unwrap();

    assert_eq!(swept.unverified_sign_ups, 0);
    assert_eq!(swept.unverified_kept, 1);
    assert!(exists(&pool, "users", owner).await);
    assert!(exists(&pool, "merchants", merchant).await);
    let payments: i64 = sqlx::query_scalar("SELECT count(*) FROM payments WHERE merchant_id = $1")
        .bind(merchant)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(payments, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_up_whose_merchant_holds_other_records_is_kept_and_the_sweep_goes_on(pool: PgPool) {
    let (with_product, merchant) = sign_up(&pool, "40 days", false).await;
    sqlx::query(
        "INSERT INTO products (id, merchant_id, mode, name, price_minor, currency)
         VALUES ($1, $2, 'test', 'Rug', 4500, 'EUR')",
    )
    .bind(Uuid::new_v4())
    .bind(merchant)
    .execute(&pool)
    .await
    .unwrap();
    let (plain, _) = sign_up(&pool, "40 days", false).await;

    let swept = sweep(&pool).await.unwrap();

    assert_eq!((swept.unverified_sign_ups, swept.unverified_kept), (1, 1));
    assert!(exists(&pool, "users", with_product).await);
    assert!(exists(&pool, "merchants", merchant).await);
    assert!(!exists(&pool, "users", plain).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_up_with_a_link_that_still_works_is_kept(pool: PgPool) {
    let (owner, _) = sign_up(&pool, "45 days", false).await;
    // A verification link re-sent yesterday, valid for another day.
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at)
         VALUES ($1, $2, 'verify_email', now() + interval '1 day', now() - interval '1 day')",
    )
    .bind(vec![7u8; 32])
    .bind(owner)
    .execute(&pool)
    .await
    .unwrap();

    let swept = sweep(&pool).await.unwrap();

    assert_eq!(swept.unverified_sign_ups, 0);
    assert!(exists(&pool, "users", owner).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_go_30_days_after_their_link_expired(pool: PgPool) {
    // The link lives 72 hours, so an invitation is 33 days old when its 30 days are over.
    let (owner, merchant) = sign_up(&pool, "1 year", true).await;
    let lapsed = user(&pool, "34 days", false).await;
    member(&pool, merchant, lapsed, "viewer").await;
    let recent = user(&pool, "32 days", false).await;
    member(&pool, merchant, recent, "finance").await;
    let to_account = |age: &'static str| {
        let pool = pool.clone();
        async move {
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO invitations_to_accounts (id, merchant_id, email, full_name, role, created_at)
                 VALUES ($1, $2, $3, 'Has Account', 'admin', now() - $4::interval)",
            )
            .bind(id)
            .bind(merchant)
            .bind(format!("{id}@example.com"))
            .bind(age)
            .execute(&pool)
            .await
            .unwrap();
            id
        }
    };
    let lapsed_to_account = to_account("34 days").await;
    let recent_to_account = to_account("32 days").await;

    let swept = sweep(&pool).await.unwrap();

    assert_eq!(swept.expired_invitations, 2);
    assert_eq!(swept.unverified_sign_ups, 0);
    assert!(!exists(&pool, "users", lapsed).await);
    assert!(!exists(&pool, "invitations_to_accounts", lapsed_to_account).await);
    assert!(exists(&pool, "users", recent).await);
    assert!(exists(&pool, "invitations_to_accounts", recent_to_account).await);
    // The team is untouched but for the lapsed invitations.
    assert!(exists(&pool, "users", owner).await);
    assert!(exists(&pool, "merchants", merchant).await);
    let team: Vec<Uuid> = sqlx::query_scalar(
        "SELECT user_id FROM merchant_members WHERE merchant_id = $1 ORDER BY role",
    )
    .bind(merchant)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(team, [owner, recent]);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_abandoned_checkout_loses_its_buyer_email_after_90_days_and_a_paid_one_never(
    pool: PgPool,
) {
    let (_, merchant) = sign_up(&pool, "2 years", true).await;
    let abandoned = checkout(&pool, merchant, "expired", "91 days").await;
    let recent = checkout(&pool, merchant, "expired", "89 days").await;
    let never_marked = checkout(&pool, merchant, "open", "91 days").await;
    let paid = checkout(&pool, merchant, "paid", "1 year").await;

    let swept = sweep(&pool).await.unwrap();

    assert_eq!(swept.abandoned_checkout_emails, 2);
    assert_eq!(buyer_email(&pool, abandoned).await, None);
    assert_eq!(buyer_email(&pool, never_marked).await, None);
    assert_eq!(
        buyer_email(&pool, recent).await.as_deref(),
        Some("buyer@example.com")
    );
    assert_eq!(
        buyer_email(&pool, paid).await.as_deref(),
        Some("buyer@example.com")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn mail_goes_90_days_after_it_was_sent_or_given_up_and_due_mail_stays(pool: PgPool) {
    let sent_long_ago = mail(&pool, true, "91 days").await;
    let sent_recently = mail(&pool, true, "89 days").await;
    let gave_up_long_ago = mail(&pool, false, "91 days").await;
    let gave_up_recently = mail(&pool, false, "89 days").await;
    // Still due after a long outage: never deleted, whatever its age.
    let due = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO mail_outbox (id, to_address, subject, body, created_at)
         VALUES ($1, 'someone@example.com', 'Hello', '\\x00', now() - interval '1 year')",
    )
    .bind(due)
    .execute(&pool)
    .await
    .unwrap();

    let swept = sweep(&pool).await.unwrap();

    assert_eq!((swept.sent_mail, swept.given_up_mail), (1, 1));
    assert!(!exists(&pool, "mail_outbox", sent_long_ago).await);
    assert!(!exists(&pool, "mail_outbox", gave_up_long_ago).await);
    assert!(exists(&pool, "mail_outbox", sent_recently).await);
    assert!(exists(&pool, "mail_outbox", gave_up_recently).await);
    assert!(exists(&pool, "mail_outbox", due).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn each_sweep_is_audited_with_its_counts_and_a_second_one_changes_nothing(pool: PgPool) {
    let (_, kept_merchant) = sign_up(&pool, "31 days", false).await;
    declined_payment(&pool, kept_merchant).await;
    sign_up(&pool, "31 days", false).await;
    let (_, merchant) = sign_up(&pool, "1 year", true).await;
    checkout(&pool, merchant, "expired", "100 days").await;
    mail(&pool, true, "100 days").await;
    mail(&pool, false, "100 days").await;

    let first = sweep(&pool).await.unwrap();
    let second = sweep(&pool).await.unwrap();

    let expected = Swept {
        unverified_sign_ups: 1,
        unverified_kept: 1,
        abandoned_checkout_emails: 1,
        sent_mail: 1,
        given_up_mail: 1,
        expired_invitations: 0,
        contact_requests: 0,
        privacy_requests: 0,
        expired_exports: 0,
    };
    assert_eq!(first, expected);
    assert_eq!(second.changed(), 0);
    // The owner kept for their merchant's payment is still counted as kept.
    assert_eq!(second.unverified_kept, 1);
    let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT actor_kind::text, detail FROM audit.events
         WHERE event_type = 'privacy.retention' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("system".to_owned(), expected.detail()),
            ("system".to_owned(), second.detail()),
        ]
    );
    assert_eq!(rows[0].1["unverified_sign_ups"], 1);
    assert_eq!(rows[1].1["sent_mail"], 0);
}

/// Production connects as `saleonix_app`: its grants must cover every rule, and two
/// instances sweeping at once must change each row once between them.
#[sqlx::test(migrations = "../migrations")]
async fn two_instances_sweeping_at_once_as_the_application_change_each_row_once(pool: PgPool) {
    let mut sign_ups = Vec::new();
    for _ in 0..5 {
        sign_ups.push(sign_up(&pool, "31 days", false).await.0);
    }
    let (_, merchant) = sign_up(&pool, "1 year", true).await;
    let invited = user(&pool, "40 days", false).await;
    member(&pool, merchant, invited, "viewer").await;
    let mut checkouts = Vec::new();
    let mut mails = Vec::new();
    for _ in 0..5 {
        checkouts.push(checkout(&pool, merchant, "expired", "100 days").await);
        mails.push(mail(&pool, true, "100 days").await);
    }
    let app_pool = crate::db::as_application_role(&pool).await;

    let (one, other) = tokio::join!(sweep(&app_pool), sweep(&app_pool));
    let (one, other) = (one.unwrap(), other.unwrap());

    assert_eq!(one.unverified_sign_ups + other.unverified_sign_ups, 5);
    assert_eq!(one.expired_invitations + other.expired_invitations, 1);
    assert_eq!(
        one.abandoned_checkout_emails + other.abandoned_checkout_emails,
        5
    );
    assert_eq!(one.sent_mail + other.sent_mail, 5);
    for id in sign_ups.into_iter().chain([invited]) {
        assert!(!exists(&pool, "users", id).await);
    }
    for id in checkouts {
        assert_eq!(buyer_email(&pool, id).await, None);
    }
    for id in mails {
        assert!(!exists(&pool, "mail_outbox", id).await);
    }
    assert_eq!(sweep(&app_pool).await.unwrap().changed(), 0);
}

/// A data-subject request from `email` in `status`, its link expired `link_expired_ago`,
/// closed `closed_ago` (for a closed status).
async fn privacy_request(
    pool: &PgPool,
    email: &str,
    status: &str,
    link_expired_ago: &str,
    closed_ago: &str,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO privacy_requests (id, email, kind, status, token_hash, token_expires_at,
                                       verified_at, due_on, closed_at, outcome)
         VALUES ($1, $2, 'access', $3::text::privacy_request_status, sha256($1::text::bytea),
                 now() - $4::interval,
                 CASE WHEN $3 <> 'unverified' THEN now() - $4::interval END,
                 CASE WHEN $3 <> 'unverified' THEN current_date END,
                 CASE WHEN $3 IN ('fulfilled', 'rejected') THEN now() - $5::interval END,
                 CASE WHEN $3 IN ('fulfilled', 'rejected') THEN 'Done.' END)",
    )
    .bind(id)
    .bind(email)
    .bind(status)
    .bind(link_expired_ago)
    .bind(closed_ago)
    .execute(pool)
    .await
    .unwrap();
    id
}

#[sqlx::test(migrations = "../migrations")]
async fn contact_messages_requests_and_unused_exports_go_after_their_periods(pool: PgPool) {
    let mut contacts = Vec::new();
    for age in ["366 days", "364 days"] {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO contact_requests (id, name, email, message, created_at)
             VALUES ($1, 'Besa', 'besa@example.com', 'Hello', now() - $2::interval)",
        )
        .bind(id)
        .bind(age)
        .execute(&pool)
        .await
        .unwrap();
        contacts.push(id);
    }
    let closed_long_ago =
        privacy_request(&pool, "a@example.com", "rejected", "4 years", "1096 days").await;
    let closed_lately =
        privacy_request(&pool, "b@example.com", "fulfilled", "4 years", "1094 days").await;
    let open_for_ever = privacy_request(&pool, "c@example.com", "open", "4 years", "").await;
    let never_confirmed = privacy_request(&pool, "d@example.com", "unverified", "8 days", "").await;
    let lately_unconfirmed =
        privacy_request(&pool, "e@example.com", "unverified", "6 days", "").await;
    for (request, expired_ago) in [(closed_lately, "1 day"), (closed_long_ago, "-1 day")] {
        sqlx::query(
            "INSERT INTO privacy_exports (request_id, archive_enc, token_hash, expires_at)
             VALUES ($1, '\\x00', sha256($1::text::bytea || 'x'), now() - $2::interval)",
        )
        .bind(request)
        .bind(expired_ago)
        .execute(&pool)
        .await
        .unwrap();
    }

    let swept = sweep(&pool).await.unwrap();
    assert_eq!(swept.contact_requests, 1);
    assert_eq!(swept.privacy_requests, 2, "{swept:?}");
    assert_eq!(
        swept.expired_exports, 1,
        "the archive of the request deleted went with it"
    );
    assert!(!exists(&pool, "contact_requests", contacts[0]).await);
    assert!(exists(&pool, "contact_requests", contacts[1]).await);
    for (id, kept) in [
        (closed_long_ago, false),
        (closed_lately, true),
        (open_for_ever, true),
        (never_confirmed, false),
        (lately_unconfirmed, true),
    ] {
        assert_eq!(exists(&pool, "privacy_requests", id).await, kept, "{id}");
    }
    let archive: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT archive_enc FROM privacy_exports WHERE request_id = $1")
            .bind(closed_lately)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(archive, None, "an archive whose link expired is erased");
}
