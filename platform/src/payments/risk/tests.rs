//! Unit tests of the fraud rules and block lists.

use super::*;
use crate::payments::risk::lists::block_value;

#[test]
fn blocklist_values_are_canonical() {
    assert_eq!(
        block_value("email", " Mallory@Example.COM ").unwrap(),
        ("mallory@example.com".into(), None)
    );
    assert_eq!(
        block_value("ip", "203.0.113.7").unwrap(),
        ("203.0.113.7".into(), Some("203.0.113.7/32".into()))
    );
    assert_eq!(
        block_value("network", "203.0.113.77/24").unwrap().0,
        "203.0.113.0/24"
    );
    assert!(block_value("ip", "203.0.113.0/24").is_err());
    assert!(block_value("network", "not a network").is_err());
    assert!(block_value("phone", "1").is_err());
}

#[test]
fn the_strictest_action_wins() {
    assert!(Action::Block > Action::Review && Action::Review > Action::Allow);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_merchants_with_their_own_maximum_are_listed(pool: PgPool) {
    for (name, max) in [
        ("Prizren Filigree", Some(50_000_i64)),
        ("Dardania Crafts", None),
        ("Besa Tea", Some(1_000)),
    ] {
        sqlx::query(
            "INSERT INTO merchants (id, business_name, max_payment_minor) VALUES ($1, $2, $3)",
        )
        .bind(Uuid::new_v4())
        .bind(name)
        .bind(max)
        .execute(&pool)
        .await
        .unwrap();
    }
    let limits: Vec<(String, i64)> = merchant_limits(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.business_name, l.max_payment.minor()))
        .collect();
    assert_eq!(
        limits,
        [
            ("Besa Tea".to_owned(), 1_000),
            ("Prizren Filigree".to_owned(), 50_000)
        ]
    );
}
