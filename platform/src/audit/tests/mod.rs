//! Unit tests of the audit log against Postgres: the fixtures they share, such as a
//! recorded run of events and a way to tamper with a row.

use super::*;
use serde_json::json;
use sqlx::Connection;

mod chain_checks;
mod database_rules;
mod encodings;

fn alice() -> Actor {
    Actor {
        kind: ActorKind::User,
        id: Some(Uuid::from_u128(0xA11CE)),
    }
}

fn facts() -> RequestFacts {
    RequestFacts {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
        request_id: Some("req-1".into()),
    }
}

fn sign_in(actor: Actor) -> Event {
    Event::new("auth.sign_in", actor, Outcome::Success)
        .detail(json!({"mfa": "totp", "remember": false}))
}

/// Five events of different shapes: in one transaction, alone, denied, from the system.
async fn record_five(pool: &PgPool) -> Vec<i64> {
    let merchant = Uuid::from_u128(0xD4);
    let mut ids = vec![
        record_alone(pool, &sign_in(alice()), &facts())
            .await
            .unwrap(),
    ];
    let mut tx = pool.begin().await.unwrap();
    let link = Event::new("payment_link.create", alice(), Outcome::Success)
        .merchant(merchant)
        .target("payment_link", "pl_1")
        .detail(json!({"amount_minor": 1250, "currency": "EUR", "mode": "test", "ratio": 0.1}));
    ids.push(record(&mut tx, &link, &facts()).await.unwrap());
    ids.push(
        record(
            &mut tx,
            &link.clone().target("payment_link", "pl_2"),
            &facts(),
        )
        .await
        .unwrap(),
    );
    tx.commit().await.unwrap();
    let denied = Event::new(
        "auth.sign_in",
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
        },
        Outcome::Denied,
    )
    .reason("unknown_email")
    .subject_email("Mallory@Example.com");
    ids.push(
        record_alone(pool, &denied, &RequestFacts::default())
            .await
            .unwrap(),
    );
    let system = Event::new(
        "audit.chain_verified",
        Actor {
            kind: ActorKind::System,
            id: None,
        },
        Outcome::Success,
    );
    ids.push(
        record_alone(pool, &system, &RequestFacts::default())
            .await
            .unwrap(),
    );
    ids
}

async fn count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit.events")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Runs `sql` on audit.events with its triggers off, as only a superuser could.
async fn tamper(pool: &PgPool, sql: &str) {
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("ALTER TABLE audit.events DISABLE TRIGGER ALL")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut *conn).await.unwrap();
    sqlx::query("ALTER TABLE audit.events ENABLE TRIGGER ALL")
        .execute(&mut *conn)
        .await
        .unwrap();
}

fn sql_state(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
        .unwrap_or_default()
}
