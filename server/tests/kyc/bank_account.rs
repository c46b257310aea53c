//! The bank account payouts go to, through the real router and Postgres: validation as field
//! errors, encryption at rest, the mask everywhere (answers, mail, audit rows, the server's
//! log), step-up on every change, the owners' notice and the 72-hour payout hold, who may
//! change and who may reveal it, and how a change meets the KYC checklist.

use crate::support;

use std::sync::{Arc, Mutex, OnceLock};

use app::error::AppError;
use platform::field_crypto::FieldSlot;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, mails_to};
use support::business::{application_state, business, member, person};
use support::kyc::state;
use support::world::{Actor, World, visitor, world};

const SET: &str = "/api/kyc/bank-account/set";
const READ: &str = "/api/kyc/bank-account";
const STAFF_READ: &str = "/api/admin/kyc/bank-account";
const REVEAL: &str = "/api/admin/kyc/bank-account/reveal";
const KOSOVO: &str = "XK051212012345678906";
const MASKED: &str = "XK05 **** **** **** 8906";

/// A valid IBAN of `country` with `bban`: the check digits computed (ISO 7064 mod 97-10).
fn iban(country: &str, bban: &str) -> String {
    let digits: String = format!("{bban}{country}00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (c as u32 - 'A' as u32 + 10).to_string()
            }
        })
        .collect();
    let rest = digits
        .bytes()
        .fold(0u32, |rest, b| (rest * 10 + u32::from(b - b'0')) % 97);
    format!("{country}{:02}{bban}", 98 - rest)
}

/// Everything the server logs from here on, at debug level and above.
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "bank_accounts",
        column: "iban_enc",
        row,
    }
}

fn field_of(error: AppError) -> (String, String) {
    match error {
        AppError::Validation { field, message } => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn set(visitor: &mut Visitor<'_>, holder: &str, iban: &str) -> reqwest::Response {
    visitor
        .post(SET, &[("holder_name", holder), ("iban", iban)])
        .await
}

async fn accounts(world: &World, merchant: uuid::Uuid) -> Vec<(uuid::Uuid, Vec<u8>, String, bool)> {
    sqlx::query_as("SELECT id, iban_enc, iban_masked, retired_at IS NOT NULL FROM bank_accounts WHERE merchant_id = $1 ORDER BY created_at")
        .bind(merchant)
        .fetch_all(&world.server.platform.pool)
        .await
        .unwrap()
}

/// `(outcome, reason, "<actor> <target> <detail>")` of each `event_type` row, oldest first.
async fn audit_rows(world: &World, event_type: &str) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT outcome::text, reason, concat_ws(' ', actor_id::text, target_id, detail::text)
         FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(&world.server.platform.pool)
    .await
    .unwrap()
}

async fn stale_step_up(world: &World, actor: Actor) -> Visitor<'_> {
    let stale = visitor(world, actor).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&actor])
        .execute(&world.server.platform.pool)
        .await
        .unwrap();
    stale
}

fn assert_no_iban(text: &str, full: &str, what: &str) {
    assert!(!text.contains(full), "{what} holds the IBAN: {text}");
    assert!(
        !text.contains(&full[4..16]),
        "{what} holds the IBAN's hidden digits: {text}"
    );
}

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

#[sqlx::test(migrations = "../migrations")]
async fn a_change_needs_step_up_tells_owners_and_admins_and_holds_payouts(pool: PgPool) {
    let log = captured_log();
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let keys = &world.server.platform.config.secrets.field_keys;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        Some("Dardania Crafts"),
    )
    .await;
    member(pool, keys, world.merchant_a, "admin-a@example.com", "admin").await;
    member(
        pool,
        keys,
        world.merchant_a,
        "finance-a@example.com",
        "finance",
    )
    .await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        set(&mut owner, "Dardania Crafts", KOSOVO).await.status(),
        200
    );
    let new = iban("XK", "1305012345678901");
    let new_masked = format!("{} **** **** **** {}", &new[..4], &new[16..]);

    // Without a fresh second factor: refused, audited, nothing changed.
    let mut stale = stale_step_up(&world, Actor::OwnerA).await;
    assert_eq!(
        error_of(set(&mut stale, "Dardania Crafts", &new).await).await,
        AppError::StepUpRequired
    );
    let denied = audit_rows(&world, "access.denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(
        (denied[0].0.as_str(), denied[0].1.as_deref()),
        ("denied", Some("step-up required"))
    );
    assert!(
        denied[0].2.contains(SET.trim_start_matches("/api")),
        "{}",
        denied[0].2
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), 1);

    // (Making the stale session aged every session of the owner's: sign in afresh.)
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let response = set(&mut owner, "Dardania Crafts SH.P.K.", &new).await;
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (
            answer["iban_masked"].as_str(),
            answer["on_hold"].as_bool(),
            answer["previous"].as_i64()
        ),
        (Some(new_masked.as_str()), Some(true), Some(1))
    );
    let stored = accounts(&world, world.merchant_a).await;
    assert_eq!(
        stored.iter().map(|a| a.3).collect::<Vec<_>>(),
        [true, false],
        "the old account retired"
    );
    let hold: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM payouts_from - now())::float8 / 3600 FROM bank_accounts WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(world.merchant_a)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        (71.9..=72.0).contains(&hold),
        "payouts start in {hold} hours"
    );

    // The notice: to every owner and admin, masked, with the hold and what to do.
    for to in ["ownera@example.com", "admin-a@example.com"] {
        let mails = mails_to(&world.server, to).await;
        assert_eq!(mails.len(), 1, "{to}");
        assert!(
            mails[0].contains(&new_masked)
                && mails[0].contains("72 hours")
                && mails[0].contains("did not make this change"),
            "{}",
            mails[0]
        );
        assert_no_iban(&mails[0], &new, "the mail");
    }
    assert!(
        mails_to(&world.server, "finance-a@example.com")
            .await
            .is_empty()
    );
    assert!(
        mails_to(&world.server, "viewera@example.com")
            .await
            .is_empty()
    );

    // The page shows the hold.
    let read: serde_json::Value = owner.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read["account"]["on_hold"], true);

    let rows = audit_rows(&world, "bank_account.change").await;
    assert_eq!(rows.len(), 2);
    assert!(rows[1].2.contains("\"first\": false"), "{}", rows[1].2);
    let trail: String = sqlx::query_scalar("SELECT string_agg(e::text, ' ') FROM audit.events e")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_no_iban(&trail, KOSOVO, "the audit trail");
    assert_no_iban(&trail, &new, "the audit trail");
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert_no_iban(&log, &new, "the server log");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_owners_and_admins_of_the_merchant_change_it_and_only_staff_reveal_it(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        None,
    )
    .await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        set(&mut owner, "Dardania Crafts SH.P.K.", KOSOVO)
            .await
            .status(),
        200
    );
    let a = world.merchant_a.to_string();

    // Viewer, developer and finance members are refused, before anything is read.
    for role in ["viewer", "developer", "finance"] {
        sqlx::query("UPDATE merchant_members SET role = $2::merchant_role WHERE user_id = $1")
            .bind(world.users[&Actor::ViewerA])
            .bind(role)
            .execute(pool)
            .await
            .unwrap();
        let mut member = visitor(&world, Actor::ViewerA).await;
        assert_eq!(
            error_of(
                set(
                    &mut member,
                    "Dardania Crafts SH.P.K.",
                    &iban("XK", "1212012345678999")
                )
                .await
            )
            .await,
            AppError::Forbidden,
            "{role}"
        );
        assert_eq!(
            error_of(member.post(REVEAL, &[("merchant_id", &a)]).await).await,
            AppError::Forbidden,
            "{role}"
        );
    }

    // Merchant B sees none of A's account, and its own change cannot reach A's.
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    let read_b: serde_json::Value = owner_b.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read_b["account"], serde_json::Value::Null);
    assert_eq!(
        error_of(owner_b.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(owner_b.post(STAFF_READ, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    let refused = set(
        &mut owner_b,
        "Dardania Crafts SH.P.K.",
        &iban("XK", "1212012345678999"),
    )
    .await;
    assert_eq!(
        field_of(error_of(refused).await).0,
        "holder_name",
        "B's own application has no business details"
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), 1);
    assert!(accounts(&world, world.merchant_b).await.is_empty());
    // The owner cannot reveal their own full IBAN either: the reveal is staff's.
    assert_eq!(
        error_of(owner.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );

    // Staff without the merchants module are refused; with `view` they see it masked and
    // may reveal it, audited each time.
    let mut outsider = visitor(&world, Actor::StaffWithoutModule).await;
    assert_eq!(
        error_of(outsider.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    let mut staff = visitor(&world, Actor::StaffView).await;
    let shown: serde_json::Value = staff
        .post(STAFF_READ, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown["iban_masked"].as_str(), shown["previous"].as_i64()),
        (Some(MASKED), Some(0))
    );
    assert!(
        audit_rows(&world, "bank_account.view").await.is_empty(),
        "reading the mask is not a reveal"
    );
    let revealed: serde_json::Value = staff
        .post(REVEAL, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revealed["iban"], "XK05 1212 0123 4567 8906");
    let views = audit_rows(&world, "bank_account.view").await;
    assert_eq!(views.len(), 1);
    assert!(
        views[0]
            .2
            .contains(&world.users[&Actor::StaffView].to_string())
    );
    assert_no_iban(&views[0].2, KOSOVO, "the reveal's audit row");
    let none = staff
        .post(REVEAL, &[("merchant_id", &world.merchant_b.to_string())])
        .await;
    assert_eq!(error_of(none).await, AppError::NotFound);
    assert_eq!(
        error_of(staff.post(REVEAL, &[("merchant_id", "not-an-id")]).await).await,
        AppError::NotFound
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_individual_business_pays_its_representative_and_a_change_meets_the_checklist(
    pool: PgPool,
) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    business(
        pool,
        world.merchant_a,
        "individual",
        "Arbër Kelmendi B.I.",
        None,
    )
    .await;

    let refused = set(&mut owner, "Arber Kelmendi", KOSOVO).await;
    assert!(
        field_of(error_of(refused).await)
            .1
            .contains("legal representative first")
    );
    person(
        pool,
        world.merchant_a,
        "Arbër Kelmendi",
        "1988-05-04",
        true,
        Some(100),
    )
    .await;
    let business_name = set(&mut owner, "Arbër Kelmendi B.I.", KOSOVO).await;
    assert!(
        field_of(error_of(business_name).await)
            .1
            .contains("legal representative's name")
    );
    assert_eq!(
        set(&mut owner, "ARBER KELMENDI", KOSOVO).await.status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "submitted"
    );

    // After approval a change is allowed and leaves the accepted item alone...
    application_state(
        pool,
        world.merchant_a,
        "approved",
        "bank_account",
        "accepted",
    )
    .await;
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670001")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "accepted"
    );
    // ...unless staff reopened the item: then it goes back for review.
    application_state(
        pool,
        world.merchant_a,
        "approved",
        "bank_account",
        "changes_requested",
    )
    .await;
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670002")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "submitted"
    );

    // Saving the same account again changes nothing and sends no notice.
    let before = accounts(&world, world.merchant_a).await.len();
    let mails = mails_to(&world.server, "ownera@example.com").await.len();
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670002")
        )
        .await
        .status(),
        200
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), before);
    assert_eq!(
        mails_to(&world.server, "ownera@example.com").await.len(),
        mails
    );

    // A rejected application's account is frozen.
    application_state(
        pool,
        world.merchant_a,
        "rejected",
        "bank_account",
        "submitted",
    )
    .await;
    let frozen = set(
        &mut owner,
        "Arbër Kelmendi",
        &iban("XK", "1212012345670003"),
    )
    .await;
    let (field, message) = field_of(error_of(frozen).await);
    assert_eq!(field, "application");
    assert!(message.contains("rejected"), "{message}");
    let read: serde_json::Value = owner.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read["can_change"], false);
}
