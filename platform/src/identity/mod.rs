//! Who is who: merchant accounts and their flows, single-use email tokens, server-side
//! sessions, and the account emails.

pub mod accounts;
pub mod emails;
pub mod invitation_limits;
pub mod invitations;
pub mod mfa;
pub mod roles;
pub mod sessions;
pub mod staff;
pub mod team;
pub mod tokens;
pub mod users;

/// A bare user row for the identity modules' own tests.
#[cfg(test)]
async fn test_user(pool: &sqlx::PgPool) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, email, full_name, kind, password_hash) VALUES ($1, $2, 'T', 'merchant', '$argon2id$x')")
        .bind(id)
        .bind(format!("{id}@example.com"))
        .execute(pool)
        .await
        .expect("inserting a test user");
    id
}
