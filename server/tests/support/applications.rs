//! KYC applications built straight in the database, as the merchant's forms would leave
//! them (those forms are another part of issue 19), for tests of the staff review.

use platform::Platform;
use platform::field_crypto::FieldSlot;
use platform::kyc::Item;
use reqwest::Response;
use uuid::Uuid;

use super::accounts::Visitor;

/// The personal number every built application's representative has; tests look for it
/// where it must never appear.
pub const PERSONAL_NUMBER: &str = "1234567890";

/// An application in the review queue: business details, a representative, one document
/// and every item sent, submitted two hours ago. Returns the document's id.
pub async fn submitted(platform: &Platform, merchant_id: Uuid, uploaded_by: Uuid) -> Uuid {
    let pool = &platform.pool;
    let mut conn = pool.acquire().await.unwrap();
    platform::kyc::ensure_application(&mut conn, domain::MerchantId::from_uuid(merchant_id))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE kyc_applications
         SET status = 'submitted', legal_form = 'llc', registered_name = 'Dardania Crafts SH.P.K.',
             trading_name = 'Dardania Crafts', registration_number = '811234567', fiscal_number = '600123456',
             address_line = 'Rr. Nëna Terezë 12', city = 'Prishtinë', postal_code = '10000',
             website = 'https://dardania.example', category = 'retail_goods',
             monthly_volume_minor = 1500000, average_ticket_minor = 4500, pep_declared = false,
             submitted_at = now() - interval '2 hours'
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE kyc_items SET state = 'submitted' WHERE merchant_id = $1")
        .bind(merchant_id)
        .execute(pool)
        .await
        .unwrap();
    let person = Uuid::new_v4();
    let row = person.to_string();
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(
            FieldSlot {
                table: "kyc_people",
                column: "personal_number_enc",
                row: &row,
            },
            PERSONAL_NUMBER.as_bytes(),
        )
        .unwrap();
    sqlx::query(
        "INSERT INTO kyc_people (id, merchant_id, is_representative, ownership_percent, full_name, date_of_birth,
                                 nationality, personal_number_enc, address)
         VALUES ($1, $2, true, 100, 'Drita Berisha', '1985-04-12', 'XK', $3, 'Rr. Nëna Terezë 12, Prishtinë')",
    )
    .bind(person)
    .bind(merchant_id)
    .bind(sealed)
    .execute(pool)
    .await
    .unwrap();
    let document = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO kyc_documents (id, merchant_id, kind, person_id, content_type, size_bytes, content_enc, uploaded_by)
         VALUES ($1, $2, 'identity_front', $3, 'image/png', 2048, '\\x00'::bytea, $4)",
    )
    .bind(document)
    .bind(merchant_id)
    .bind(person)
    .bind(uploaded_by)
    .execute(pool)
    .await
    .unwrap();
    document
}

/// The merchant updates `item` and sends the application again, as its forms would.
pub async fn resubmit(platform: &Platform, merchant_id: Uuid, item: Item) {
    let mut tx = platform.pool.begin().await.unwrap();
    platform::kyc::lock(&mut tx, domain::MerchantId::from_uuid(merchant_id))
        .await
        .unwrap();
    platform::kyc::mark_item(
        &mut tx,
        domain::MerchantId::from_uuid(merchant_id),
        item,
        true,
    )
    .await
    .unwrap();
    sqlx::query("UPDATE kyc_applications SET status = 'submitted', submitted_at = now() WHERE merchant_id = $1")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The application's status and each item's state, as text.
pub async fn states(platform: &Platform, merchant_id: Uuid) -> (String, Vec<String>) {
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM kyc_applications WHERE merchant_id = $1")
            .bind(merchant_id)
            .fetch_one(&platform.pool)
            .await
            .unwrap();
    let items: Vec<String> = sqlx::query_scalar(
        "SELECT state::text FROM kyc_items WHERE merchant_id = $1 ORDER BY item",
    )
    .bind(merchant_id)
    .fetch_all(&platform.pool)
    .await
    .unwrap();
    (status, items)
}

/// Everything a review decision may change, as one text: the application, its items and
/// the merchant's row. Equal before and after a refusal means nothing changed.
pub async fn snapshot(platform: &Platform, merchant_id: Uuid) -> String {
    sqlx::query_scalar(
        "SELECT concat_ws(' | ',
                (SELECT row_to_json(a)::text FROM kyc_applications a WHERE a.merchant_id = $1),
                (SELECT string_agg(row_to_json(i)::text, ',' ORDER BY i.item) FROM kyc_items i WHERE i.merchant_id = $1),
                (SELECT row_to_json(m)::text FROM merchants m WHERE m.id = $1),
                (SELECT count(*)::text FROM mail_outbox))",
    )
    .bind(merchant_id)
    .fetch_one(&platform.pool)
    .await
    .unwrap()
}

/// The checklist's items as the decision forms post them.
pub const ITEMS: [&str; 6] = [
    "business",
    "people",
    "registration_certificate",
    "identity_documents",
    "bank_proof",
    "bank_account",
];

pub fn tomorrow() -> time::Date {
    time::OffsetDateTime::now_utc().date() + time::Duration::days(1)
}

// Staff decisions as the review page posts them.

pub async fn accept(staff: &mut Visitor<'_>, merchant: &str, item: &str) -> Response {
    staff
        .post(
            "/api/admin/kyc/accept-item",
            &[("merchant_id", merchant), ("item", item)],
        )
        .await
}

pub async fn ask_changes(
    staff: &mut Visitor<'_>,
    merchant: &str,
    item: &str,
    reason: &str,
) -> Response {
    staff
        .post(
            "/api/admin/kyc/request-changes",
            &[
                ("merchant_id", merchant),
                ("item", item),
                ("reason", reason),
            ],
        )
        .await
}

pub async fn approve(staff: &mut Visitor<'_>, merchant: &str) -> Response {
    staff
        .post("/api/admin/kyc/approve", &[("merchant_id", merchant)])
        .await
}

pub async fn reject(staff: &mut Visitor<'_>, merchant: &str, reason: &str) -> Response {
    staff
        .post(
            "/api/admin/kyc/reject",
            &[("merchant_id", merchant), ("reason", reason)],
        )
        .await
}

pub async fn reverify(
    staff: &mut Visitor<'_>,
    merchant: &str,
    item: &str,
    due: time::Date,
) -> Response {
    let due = due.to_string();
    let form = [
        ("merchant_id", merchant),
        ("item", item),
        ("reason", "Your identity document has expired."),
        ("due", &due),
    ];
    staff
        .post("/api/admin/kyc/request-reverification", &form)
        .await
}

/// Accepts every checklist item, each answered 200.
pub async fn accept_all(staff: &mut Visitor<'_>, merchant: &str) {
    for item in ITEMS {
        let response = accept(staff, merchant, item).await;
        assert_eq!(
            response.status(),
            200,
            "{item}: {}",
            response.text().await.unwrap()
        );
    }
}
