//! The inventory (`domain::privacy::inventory`) against the migrated database.

use std::collections::BTreeSet;

use sqlx::PgPool;

/// Where the database and the inventory disagree, as `table.column`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Disagreement {
    /// In the database, not classified by the inventory.
    unclassified: BTreeSet<String>,
    /// Named by the inventory, not in the database.
    missing: BTreeSet<String>,
}

async fn compare(pool: &PgPool) -> Disagreement {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT CASE WHEN c.table_schema = 'public' THEN c.table_name
                     ELSE c.table_schema || '.' || c.table_name END,
                c.column_name
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE t.table_type = 'BASE TABLE'
           AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
           AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let in_database: BTreeSet<String> = rows.into_iter().map(|(t, c)| format!("{t}.{c}")).collect();
    let in_inventory: BTreeSet<String> = domain::privacy::classified_columns()
        .into_iter()
        .flat_map(|(t, columns)| columns.into_iter().map(move |c| format!("{t}.{c}")))
        .collect();
    Disagreement {
        unclassified: in_database.difference(&in_inventory).cloned().collect(),
        missing: in_inventory.difference(&in_database).cloned().collect(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_column_of_every_table_is_classified(pool: PgPool) {
    let found = compare(&pool).await;
    assert_eq!(
        found,
        Disagreement::default(),
        "classify each column in domain/src/privacy/inventory.rs, as personal data or not"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_column_a_migration_adds_without_classifying_it_is_caught(pool: PgPool) {
    sqlx::query("ALTER TABLE users ADD COLUMN phone text")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE newsletter (email text)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE payments DROP COLUMN card_brand")
        .execute(&pool)
        .await
        .unwrap();
    let found = compare(&pool).await;
    assert_eq!(
        found.unclassified,
        BTreeSet::from(["newsletter.email".to_owned(), "users.phone".to_owned()])
    );
    assert_eq!(
        found.missing,
        BTreeSet::from(["payments.card_brand".to_owned()])
    );
}
