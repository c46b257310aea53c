use super::*;

#[test]
fn no_column_is_named_twice() {
    for table in inventory::TABLES {
        let mut columns = classified_columns()[table.name].clone();
        let count = columns.len();
        columns.sort_unstable();
        columns.dedup();
        assert_eq!(columns.len(), count, "{} names a column twice", table.name);
    }
    let names: std::collections::BTreeSet<_> = inventory::TABLES.iter().map(|t| t.name).collect();
    assert_eq!(
        names.len(),
        inventory::TABLES.len(),
        "a table is listed twice"
    );
}

#[test]
fn every_subject_the_policy_names_has_data_and_every_datum_a_purpose() {
    for subject in Subject::ALL {
        assert!(!holdings(subject).is_empty(), "{subject:?} has no data");
    }
    for (table, p) in personal_columns() {
        assert!(
            !p.what.is_empty() && !p.purpose.is_empty(),
            "{table}.{}",
            p.column
        );
    }
}

#[test]
fn data_kept_against_erasure_is_kept_for_a_legal_duty() {
    for (table, p) in personal_columns().filter(|(_, p)| p.kept_for_aml) {
        assert!(
            matches!(
                p.retention,
                Retention::AmlRecords | Retention::WhileMerchantKeeps
            ),
            "{table}.{} is kept against erasure but not for the AML period",
            p.column
        );
    }
    // What an erasure must remove from a payment, by the issue: no name, email or IP.
    let payments: Vec<_> = personal_columns()
        .filter(|(t, p)| *t == "payments" && !p.kept_for_aml)
        .map(|(_, p)| p.column)
        .collect();
    assert_eq!(payments, ["buyer_email"]);
}

#[test]
fn the_readme_carries_the_retention_table_as_the_inventory_makes_it() {
    let readme = include_str!("../../../README.md");
    let table = retention_table_markdown();
    assert!(
        readme.contains(&table),
        "README.md's retention table is out of date; replace it with:\n\n{table}"
    );
}

#[test]
fn only_the_session_cookie_is_listed() {
    assert!(cookies::is_listed("__Host-saleonix-session"));
    assert!(!cookies::is_listed("tracking"));
    assert!(!cookies::is_listed("__Host-saleonix-session "));
}
