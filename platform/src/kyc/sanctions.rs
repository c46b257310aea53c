//! Sanctions screening of the business and its people against a loaded list.
// stub: slice B replaces this file

/// How many sanctions hits of the merchant's application still wait for a staff decision;
/// approval is refused while any is open.
pub async fn open_hits(conn: &mut sqlx::PgConnection, merchant_id: uuid::Uuid) -> Result<i64, sqlx::Error> {
    let _ = (conn, merchant_id);
    Ok(0)
}
