//! The merchant's KYC application as a browser fills it in: the business form, a person,
//! multipart uploads built by hand (as a browser's form sends them), and what the
//! database then holds.

use reqwest::Response;
use sqlx::PgPool;
use uuid::Uuid;

use super::accounts::Visitor;

/// A business form that passes every rule; tests change one field at a time.
pub fn business() -> Vec<(&'static str, String)> {
    [
        ("legal_form", "llc"),
        ("registered_name", "Dardania Crafts SH.P.K."),
        ("trading_name", "Dardania Crafts"),
        ("registration_number", "810123456"),
        ("fiscal_number", "600123456"),
        ("vat_number", "330123456"),
        ("address_line", "Rr. Nëna Terezë 12"),
        ("city", "Prishtinë"),
        ("postal_code", "10000"),
        ("website", "https://dardania.example"),
        ("category", "retail_goods"),
        ("monthly_volume", "20000"),
        ("average_ticket", "35.50"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// The representative: a Kosovo citizen with an ID card.
pub const REPRESENTATIVE_NUMBER: &str = "1234567890";
pub const REPRESENTATIVE_NAME: &str = "Drita Berisha";

pub fn representative() -> Vec<(&'static str, String)> {
    [
        ("role", "representative"),
        ("ownership_percent", "60"),
        ("full_name", REPRESENTATIVE_NAME),
        ("date_of_birth", "1985-04-23"),
        ("nationality", "XK"),
        ("personal_number", REPRESENTATIVE_NUMBER),
        ("address", "Rr. Agim Ramadani 5, Prishtinë"),
        ("identity_document", "id_card"),
        ("is_pep", "no"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// An owner from Germany with a passport.
pub fn owner(percent: &str) -> Vec<(&'static str, String)> {
    [
        ("role", "owner"),
        ("ownership_percent", percent),
        ("full_name", "Lukas Becker"),
        ("date_of_birth", "1979-09-02"),
        ("nationality", "DE"),
        ("personal_number", "C01X00T47"),
        ("address", "Hauptstraße 1, Berlin"),
        ("identity_document", "passport"),
        ("is_pep", "no"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// `form` with `field` set to `value`.
pub fn with(
    mut form: Vec<(&'static str, String)>,
    field: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    match form.iter_mut().find(|(k, _)| *k == field) {
        Some(pair) => pair.1 = value.to_owned(),
        None => form.push((field, value.to_owned())),
    }
    form
}

pub async fn post(
    visitor: &mut Visitor<'_>,
    path: &str,
    form: &[(&'static str, String)],
) -> Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    visitor.post(path, &pairs).await
}

/// A one-page PDF's first bytes with `marker` inside, so a test can look for it.
pub fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\n%%EOF\n").into_bytes()
}

pub fn png(marker: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(marker.as_bytes());
    bytes
}

/// Posts a file as the Verification page's upload form does (same-origin, multipart).
pub async fn upload(
    visitor: &Visitor<'_>,
    kind: &str,
    person: Option<Uuid>,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Response {
    let boundary = "----saleonix-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::with_capacity(bytes.len() + 512);
    let mut text_field = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text_field("kind", kind);
    text_field(
        "person_id",
        &person.map(|p| p.to_string()).unwrap_or_default(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = visitor
        .server
        .client
        .post(visitor.server.url("/api/kyc/files"))
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(cookie) = &visitor.cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The merchant's current documents as `(id, kind, content_type)`.
pub async fn documents(pool: &PgPool, merchant_id: Uuid) -> Vec<(Uuid, String, String)> {
    sqlx::query_as(
        "SELECT id, kind::text, content_type FROM kyc_documents WHERE merchant_id = $1 AND replaced_at IS NULL ORDER BY uploaded_at",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Every document row of the merchant, replaced ones too.
pub async fn document_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM kyc_documents")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The checklist as `(item, state)` in order.
pub async fn checklist(pool: &PgPool, merchant_id: Uuid) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT item::text, state::text FROM kyc_items WHERE merchant_id = $1 ORDER BY item",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The state of one checklist item (`none` before the application exists).
pub async fn state(pool: &PgPool, merchant_id: Uuid, item: &str) -> String {
    checklist(pool, merchant_id)
        .await
        .into_iter()
        .find(|(i, _)| i == item)
        .map(|(_, s)| s)
        .unwrap_or_else(|| "none".into())
}

/// The merchant's current people's ids, the representative first.
pub async fn people(pool: &PgPool, merchant_id: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar(
        "SELECT id FROM kyc_people WHERE merchant_id = $1 AND removed_at IS NULL ORDER BY is_representative DESC, created_at",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await
    .unwrap()
}
