//! "Talk to us" requests from the public landing page: validated, then stored.

use sqlx::PgPool;
use uuid::Uuid;

/// What a visitor typed, before validation.
#[derive(Debug, Clone)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub business_name: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContactError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    #[error("database error")]
    Database,
}

impl From<sqlx::Error> for ContactError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "storing a contact request failed");
        ContactError::Database
    }
}

fn invalid(field: &'static str, message: &'static str) -> ContactError {
    ContactError::Invalid { field, message }
}

/// A deliberately plain check: one `@`, something on each side, a dot in the domain, no
/// spaces. Deliverability is proven by replying, not by a regular expression.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl ContactForm {
    fn validated(self) -> Result<ContactForm, ContactError> {
        let name = self.name.trim().to_owned();
        let email = self.email.trim().to_lowercase();
        let business_name = self.business_name.trim().to_owned();
        let message = self.message.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(
                "name",
                "Please give a name of 1 to 100 characters.",
            ));
        }
        if !is_plausible_email(&email) {
            return Err(invalid(
                "email",
                "Please give an email address we can answer.",
            ));
        }
        if business_name.chars().count() > 200 {
            return Err(invalid(
                "business_name",
                "Business names are at most 200 characters.",
            ));
        }
        if message.is_empty() || message.chars().count() > 2000 {
            return Err(invalid(
                "message",
                "Please write a message of 1 to 2,000 characters.",
            ));
        }
        Ok(ContactForm {
            name,
            email,
            business_name,
            message,
        })
    }
}

/// Validates and stores a request; returns its id. Invalid input stores nothing.
pub async fn submit(pool: &PgPool, form: ContactForm) -> Result<Uuid, ContactError> {
    let form = form.validated()?;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO contact_requests (id, name, email, business_name, message) VALUES ($1, $2, $3, NULLIF($4, ''), $5)",
    )
    .bind(id)
    .bind(&form.name)
    .bind(&form.email)
    .bind(&form.business_name)
    .bind(&form.message)
    .execute(pool)
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ContactForm {
        ContactForm {
            name: " Luan Hoxha ".into(),
            email: "Luan@Example.com".into(),
            business_name: "".into(),
            message: "We sell handmade rugs online.".into(),
        }
    }

    #[test]
    fn email_plausibility() {
        for good in ["a@b.co", "luan.hoxha+shop@example.com"] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b.co.", "a b@c.co", "a@b@c.co",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_valid_request_is_stored_normalised(pool: PgPool) {
        let id = submit(&pool, form()).await.unwrap();
        let (name, email, business): (String, String, Option<String>) =
            sqlx::query_as("SELECT name, email, business_name FROM contact_requests WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            (name.as_str(), email.as_str(), business),
            ("Luan Hoxha", "luan@example.com", None)
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn invalid_input_names_the_field_and_stores_nothing(pool: PgPool) {
        let cases = [
            (
                ContactForm {
                    name: "   ".into(),
                    ..form()
                },
                "name",
            ),
            (
                ContactForm {
                    email: "not-an-email".into(),
                    ..form()
                },
                "email",
            ),
            (
                ContactForm {
                    message: "x".repeat(2001),
                    ..form()
                },
                "message",
            ),
            (
                ContactForm {
                    business_name: "b".repeat(201),
                    ..form()
                },
                "business_name",
            ),
        ];
        for (bad, field) in cases {
            match submit(&pool, bad).await {
                Err(ContactError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected an error on {field}, got {other:?}"),
            }
        }
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM contact_requests")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, 0);
    }
}
