//! Sanctions screening of the business and its people against a loaded list.
// stub: slice B replaces this file

pub async fn screen_application(conn: &mut sqlx::PgConnection, merchant_id: uuid::Uuid) -> Result<usize, sqlx::Error> {
    let _ = (conn, merchant_id);
    Ok(0)
}

pub async fn open_hits(conn: &mut sqlx::PgConnection, merchant_id: uuid::Uuid) -> Result<i64, sqlx::Error> {
    let _ = (conn, merchant_id);
    Ok(0)
}
