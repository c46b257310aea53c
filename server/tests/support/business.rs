//! A merchant's KYC application written straight into the database (the application forms
//! are tested on their own): business details, people, and the application's state, for
//! the bank account and sanctions tests.

use sqlx::PgPool;
use uuid::Uuid;

/// Saves business details: `legal_form` (`llc`, `individual`, ...) and the two names.
pub async fn business(
    pool: &PgPool,
    merchant: Uuid,
    legal_form: &str,
    registered: &str,
    trading: Option<&str>,
) {
    let mut conn = pool.acquire().await.unwrap();
    platform::kyc::ensure_application(&mut conn, domain::MerchantId::from_uuid(merchant))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE kyc_applications SET legal_form = $2::kyc_legal_form, registered_name = $3, trading_name = $4 WHERE merchant_id = $1",
    )
    .bind(merchant)
    .bind(legal_form)
    .bind(registered)
    .bind(trading)
    .execute(&mut *conn)
    .await
    .unwrap();
}

/// Adds a person (the representative, or an owner with `percent`) born on `born` (YYYY-MM-DD).
pub async fn person(
    pool: &PgPool,
    merchant: Uuid,
    name: &str,
    born: &str,
    representative: bool,
    percent: Option<i16>,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO kyc_people (id, merchant_id, is_representative, ownership_percent, full_name, date_of_birth, nationality,
                                 personal_number_enc, address)
         VALUES ($1, $2, $3, $4, $5, $6::date, 'XK', '\\x00'::bytea, 'Rruga e Dëshmorëve 1, Prishtinë')",
    )
    .bind(id)
    .bind(merchant)
    .bind(representative)
    .bind(percent)
    .bind(name)
    .bind(born)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// Puts the application in `status` (`approved`, `rejected`, ...) and one item in `state`.
pub async fn application_state(
    pool: &PgPool,
    merchant: Uuid,
    status: &str,
    item: &str,
    state: &str,
) {
    sqlx::query("UPDATE kyc_applications SET status = $2::kyc_status WHERE merchant_id = $1")
        .bind(merchant)
        .bind(status)
        .execute(pool)
        .await
        .unwrap();
    let reason = (state == "changes_requested").then_some("Please check this again.");
    sqlx::query("UPDATE kyc_items SET state = $3::kyc_item_state, reason = $4 WHERE merchant_id = $1 AND item = $2::kyc_item")
        .bind(merchant)
        .bind(item)
        .bind(state)
        .bind(reason)
        .execute(pool)
        .await
        .unwrap();
}

/// A verified merchant user of `merchant` with `role` (two-factor on), returning its email.
pub async fn member(
    pool: &PgPool,
    keys: &platform::field_crypto::KeyRing,
    merchant: Uuid,
    email: &str,
    role: &str,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES ($1, $2, 'Another Member', 'merchant', $3, now())",
    )
    .bind(id)
    .bind(email)
    .bind(
        platform::password::hash(&secrecy::SecretString::from(super::accounts::PASSWORD)).unwrap(),
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3::merchant_role)")
        .bind(merchant)
        .bind(id)
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
    let slot = platform::field_crypto::FieldSlot {
        table: "user_mfa",
        column: "totp_secret",
        row: &id.to_string(),
    };
    sqlx::query("INSERT INTO user_mfa (user_id, totp_secret, enabled_at) VALUES ($1, $2, now())")
        .bind(id)
        .bind(keys.encrypt(slot, &[7u8; 20]).unwrap())
        .execute(pool)
        .await
        .unwrap();
    id
}
