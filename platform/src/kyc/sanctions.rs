//! Sanctions screening of the business and its people against a loaded list.
// stub: slice B replaces this file

/// Screens the application's business and people; answers how many possible hits it
/// recorded. The stub records none.
pub async fn screen_application(conn: &mut sqlx::PgConnection, merchant_id: uuid::Uuid) -> Result<usize, sqlx::Error> {
    let _ = (conn, merchant_id);
    Ok(0)
}
