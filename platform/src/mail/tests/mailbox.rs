//! The development mailbox: what it receives and how it lists messages.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn the_mailbox_receives_the_message_and_the_body_is_erased(pool: PgPool) {
    let keys = keys(7);
    let dir = temp_dir();
    let first = queue(
        &pool,
        &keys,
        &mail("luan@example.com", "Confirm your address"),
    )
    .await;
    let second = queue(
        &pool,
        &keys,
        &mail(
            "Arta Krasniqi <arta@example.com>",
            "Mirë se vini në Saleonix",
        ),
    )
    .await;
    let transport = Transport::Mailbox(dir.clone());
    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        2
    );
    for id in [first, second] {
        assert_eq!(
            row(&pool, id).await,
            Row {
                attempts: 1,
                has_body: false,
                sent: true,
                failed: false,
                last_error: None
            }
        );
    }

    let messages = read_mailbox(&dir, 10).unwrap();
    assert_eq!(messages.len(), 2);
    let arta = messages
        .iter()
        .find(|m| m.to.contains("arta@example.com"))
        .unwrap();
    assert_eq!(
        arta.subject, "Mirë se vini në Saleonix",
        "UTF-8 headers are kept as they are"
    );
    let luan = messages
        .iter()
        .find(|m| m.to == "luan@example.com")
        .unwrap();
    assert_eq!(luan.subject, "Confirm your address");
    assert_eq!(luan.from, "Saleonix <no-reply@saleonix.test>");
    assert!(
        luan.body
            .contains(&format!("Confirm your address: {LINK}\n")),
        "{}",
        luan.body
    );
    assert!(
        time::OffsetDateTime::parse(&luan.date, &time::format_description::well_known::Rfc2822)
            .is_ok()
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join(&luan.file_name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    assert_eq!(
        deliver_due(&pool, &keys, &transport, &settings(8))
            .await
            .unwrap(),
        0,
        "sent once"
    );
    assert_eq!(read_mailbox(&dir, 10).unwrap().len(), 2);
}

#[test]
fn the_mailbox_lists_newest_first_and_skips_other_files() {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, subject) in [
        ("20261124T100000.000000000Z-a.eml", "older"),
        ("20261124T110000.000000000Z-b.eml", "newer"),
    ] {
        std::fs::write(
            dir.join(name),
            format!("To: a@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n"),
        )
        .unwrap();
    }
    std::fs::write(dir.join(".c.partial"), "To: x@example.com\r\n\r\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not mail").unwrap();
    let subjects: Vec<String> = read_mailbox(&dir, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects, ["newer", "older"]);
    assert_eq!(read_mailbox(&dir, 1).unwrap()[0].subject, "newer");
    assert!(read_mailbox(&dir.join("missing"), 10).unwrap().is_empty());
}
