//! The staff steps and the bank: approval with four eyes and a fresh second factor, the
//! pain.001 file against the ISO 20022 schema, marking sent, the statement import and a
//! returned payout.

use app::error::AppError;
use domain::{MerchantId, Money};
use platform::audit::RequestFacts;
use platform::gateway_accounts::Mode;
use platform::payouts::PayoutError;
use platform::payouts::import;
use platform::payouts::transition::{self, Move};
use sqlx::PgPool;
use uuid::Uuid;

use crate::books::{
    KOSOVO, approve_kyc, assert_books_balance, audit, balances, bank_account, credit, daily, iban,
    payable, payouts_of, sent_batch, staff,
};
use crate::support::accounts::error_of;
use crate::support::world::{Actor, World, visitor, world};

const RUN: &str = "/api/admin/payouts/run";
const APPROVE: &str = "/api/admin/payouts/approve";
const SENT: &str = "/api/admin/payouts/sent";

async fn batch_status(pool: &PgPool, batch_id: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM payout_batches WHERE id = $1")
        .bind(batch_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Makes both merchants of the world payable: A with 123.45 EUR (its holder name needs
/// escaping in XML), B with 50.00 EUR.
async fn payable_world(world: &World) -> (String, String) {
    let platform = &world.server.platform;
    let pool = &platform.pool;
    let other_iban = iban("XK", "1212012345678999");
    for (merchant, holder, account, amount) in [
        (
            world.merchant_a,
            "Dardania Crafts & <Sons> SH.P.K.",
            KOSOVO.to_owned(),
            12_345,
        ),
        (
            world.merchant_b,
            "Prizren Filigree",
            other_iban.clone(),
            5_000,
        ),
    ] {
        approve_kyc(pool, merchant).await;
        bank_account(platform, merchant, holder, &account, -1).await;
        daily(pool, merchant, 1_000).await;
        credit(pool, merchant, Mode::Live, amount).await;
    }
    (KOSOVO.to_owned(), other_iban)
}

async fn only_batch(pool: &PgPool) -> Uuid {
    sqlx::query_scalar("SELECT id FROM payout_batches")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_batch_needs_another_staff_member_with_a_fresh_code(pool: PgPool) {
    let world = world(pool.clone()).await;
    payable_world(&world).await;
    let mut runner = visitor(&world, Actor::StaffAct).await;
    let mut viewer = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        viewer.post(RUN, &[]).await.status(),
        403,
        "running needs payouts act"
    );
    let response = runner.post(RUN, &[]).await;
    assert_eq!(response.status(), 200);
    let batch_id = only_batch(&pool).await;
    let form = [("batch_id", batch_id.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let own = runner.post(APPROVE, &form).await;
    assert_eq!(own.status(), 403);
    assert_eq!(error_of(own).await, AppError::Forbidden);
    assert_eq!(
        audit(&pool, "payout_batch.approve").await,
        ["payout_batch.approve:denied:four_eyes"]
    );
    assert_eq!(
        viewer.post(APPROVE, &form).await.status(),
        403,
        "approving needs payouts act"
    );

    let mut admin = visitor(&world, Actor::Admin).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::Admin])
        .execute(&pool)
        .await
        .unwrap();
    let stale = admin.post(APPROVE, &form).await;
    assert_eq!(stale.status(), 403);
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'access.denied' AND reason = 'step-up required' AND actor_id = $1",
    )
    .bind(world.users[&Actor::Admin])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 1);
    assert_eq!(
        batch_status(&pool, batch_id).await,
        "created",
        "nothing changed"
    );
    let file = format!("/api/admin/payouts/batches/{batch_id}/file");
    assert_eq!(
        runner.get(&file).await.status(),
        422,
        "no file before approval"
    );
    assert_eq!(
        runner.post(SENT, &form).await.status(),
        422,
        "not sent before approval"
    );

    let mut fresh = visitor(&world, Actor::Admin).await;
    assert_eq!(fresh.post(APPROVE, &form).await.status(), 200);
    assert_eq!(
        fresh.post(APPROVE, &form).await.status(),
        200,
        "a repeat is a no-op"
    );
    assert_eq!(batch_status(&pool, batch_id).await, "approved");
    let approved_by: Uuid = sqlx::query_scalar("SELECT approved_by FROM payout_batches")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(approved_by, world.users[&Actor::Admin]);
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status::text FROM payouts ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(statuses, ["approved", "approved"]);

    assert_eq!(
        viewer.get(&file).await.status(),
        403,
        "the file needs payouts act"
    );
    let download = runner.get(&file).await;
    assert_eq!(download.status(), 200);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(audit(&pool, "payout_batch.file").await.len(), 1);

    assert_eq!(runner.post(SENT, &form).await.status(), 200);
    assert_eq!(
        runner.post(SENT, &form).await.status(),
        200,
        "a repeat is a no-op"
    );
    assert_eq!(batch_status(&pool, batch_id).await, "sent");
    let sent_entries: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'payout_sent'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(sent_entries, 2, "one entry per payout, once");
    assert_eq!(
        balances(&pool, world.merchant_a).await,
        (0, 0),
        "in transit now"
    );
    assert_books_balance(&pool).await;

    // The bank's statement, uploaded from the console: A's line pays A.
    let (_, a_e2e, ..) = payouts_of(&pool, world.merchant_a).await.remove(0);
    let csv = format!("date,amount,end_to_end_id\n2026-11-30,123.45,{a_e2e}\n");
    assert_eq!(
        upload_statement(&viewer, &csv).await.status(),
        403,
        "importing needs payouts act"
    );
    let imported = upload_statement(&runner, &csv).await;
    assert_eq!(imported.status(), 303);
    let location = imported.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/admin/payouts?imported="),
        "{location}"
    );
    assert_eq!(payouts_of(&pool, world.merchant_a).await[0].3, "paid");
    let refused = upload_statement(&runner, "date,amount,end_to_end_id\n").await;
    assert!(
        refused.headers()["location"]
            .to_str()
            .unwrap()
            .contains("import_error=format")
    );
    assert_eq!(runner.get("/admin/payouts").await.status(), 200);
    assert_eq!(
        visitor(&world, Actor::OwnerA)
            .await
            .get("/dashboard/payouts")
            .await
            .status(),
        200
    );
    assert_eq!(
        visitor(&world, Actor::ViewerA)
            .await
            .get("/dashboard/payouts")
            .await
            .status(),
        403
    );
    assert_books_balance(&pool).await;
}

/// Posts a statement as the console's import form does (same-origin, multipart).
async fn upload_statement(
    visitor: &crate::support::accounts::Visitor<'_>,
    csv: &str,
) -> reqwest::Response {
    let boundary = "----saleonix-statement-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"statement.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let mut request = visitor
        .server
        .client
        .post(visitor.server.url("/api/admin/payouts/statements"))
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(cookie) = &visitor.cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The value of the first `<tag>` in `xml`.
fn first<'a>(xml: &'a str, tag: &str) -> &'a str {
    let start = xml.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    &xml[start..end]
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pain001_file_is_valid_against_the_iso_20022_schema(pool: PgPool) {
    let world = world(pool.clone()).await;
    let (iban_a, iban_b) = payable_world(&world).await;
    let platform = &world.server.platform;
    let approver = staff(&pool, "approver@saleonix.test").await;
    let report = crate::books::run_now(platform, None).await;
    let batch_id = report.batches[0];
    transition::apply(
        platform,
        Move::Approve {
            batch_id,
            staff: &approver,
        },
        &RequestFacts::default(),
    )
    .await
    .unwrap();

    let mut runner = visitor(&world, Actor::StaffAct).await;
    let xml = runner
        .get(&format!("/api/admin/payouts/batches/{batch_id}/file"))
        .await
        .text()
        .await
        .unwrap();
    let path = std::env::temp_dir().join(format!("pain001-{batch_id}.xml"));
    std::fs::write(&path, &xml).unwrap();
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pain.001.001.03.xsd"
    );
    let check = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&check.stderr)
    );

    assert_eq!(first(&xml, "NbOfTxs"), "2");
    assert_eq!(
        first(&xml, "CtrlSum"),
        Money::eur(12_345 + 5_000).to_decimal_string()
    );
    assert_eq!(
        xml.matches("<NbOfTxs>2</NbOfTxs>").count(),
        2,
        "group header and payment information agree"
    );
    assert_eq!(
        xml.matches(&format!(
            "<CtrlSum>{}</CtrlSum>",
            Money::eur(17_345).to_decimal_string()
        ))
        .count(),
        2
    );
    assert!(
        xml.contains("<InstdAmt Ccy=\"EUR\">123.45</InstdAmt>")
            && xml.contains("<InstdAmt Ccy=\"EUR\">50.00</InstdAmt>")
    );
    let ids: Vec<String> = sqlx::query_scalar("SELECT end_to_end_id FROM payouts")
        .fetch_all(&pool)
        .await
        .unwrap();
    for id in &ids {
        assert_eq!(
            xml.matches(&format!("<EndToEndId>{id}</EndToEndId>"))
                .count(),
            1,
            "{id}"
        );
    }
    assert!(
        xml.contains(&format!("<IBAN>{iban_a}</IBAN>"))
            && xml.contains(&format!("<IBAN>{iban_b}</IBAN>"))
    );
    assert!(
        xml.contains("<Nm>Dardania Crafts &amp; &lt;Sons&gt; SH.P.K.</Nm>"),
        "escaped"
    );
    let debtor = &platform.config.settings.payouts;
    assert!(xml.contains(&format!(
        "<DbtrAcct><Id><IBAN>{}</IBAN></Id></DbtrAcct>",
        debtor.debtor_iban
    )));
    assert!(xml.contains(&format!("<BIC>{}</BIC>", debtor.debtor_bic)));
    std::fs::remove_file(path).unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_statement_import_pays_once_and_lists_what_it_could_not_match(pool: PgPool) {
    let server = crate::support::start(pool.clone()).await;
    let platform = &server.platform;
    let a = payable(platform, "Dardania Crafts").await;
    let b = payable(platform, "Prizren Filigree").await;
    credit(&pool, a, Mode::Live, 12_345).await;
    credit(&pool, b, Mode::Live, 5_000).await;
    let importer = staff(&pool, "importer@saleonix.test").await;
    sent_batch(platform, &importer).await;
    let (a_id, a_e2e, ..) = payouts_of(&pool, a).await.remove(0);
    let (b_id, b_e2e, ..) = payouts_of(&pool, b).await.remove(0);
    let csv = format!(
        "date,amount,end_to_end_id\n2026-11-30,123.45,{a_e2e}\n2026-11-30,1.00,{b_e2e}\n2026-11-30,5.00,SXPUNKNOWN\nnot a date,abc,\n"
    );
    let facts = RequestFacts::default();
    let first = import::import(platform, &importer, "statement.csv", csv.as_bytes(), &facts)
        .await
        .unwrap();
    assert_eq!((first.paid, first.already_paid, first.unmatched), (1, 0, 3));
    assert_eq!(payouts_of(&pool, a).await[0].3, "paid");
    assert_eq!(
        payouts_of(&pool, b).await[0].3,
        "sent",
        "the amount must match too"
    );
    let unmatched = platform::payouts::reading::unmatched(&pool, &[first.import_id])
        .await
        .unwrap();
    let notes: Vec<(i32, &str)> = unmatched
        .iter()
        .map(|l| (l.line_no, l.note.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            (3, "The payout is 50.00 EUR, the line 1.00 EUR."),
            (4, "No payout has this end-to-end id."),
            (5, "The date or the amount could not be read."),
        ]
    );

    let again = import::import(platform, &importer, "statement.csv", csv.as_bytes(), &facts)
        .await
        .unwrap();
    assert_eq!(
        (again.paid, again.already_paid, again.unmatched),
        (0, 1, 3),
        "nothing is paid twice"
    );
    let paid_entries: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'payout_paid'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(paid_entries, 1);
    let bank: i64 = sqlx::query_scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE kind = 'payout_bank' AND mode = 'live'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(bank, -12_345, "the money left the platform's bank account");
    assert_eq!(audit(&pool, "payout_statement.import").await.len(), 2);
    let not_csv = import::import(platform, &importer, "x.csv", b"\n\n", &facts).await;
    assert!(
        matches!(not_csv, Err(PayoutError::Invalid { field: "file", .. })),
        "{not_csv:?}"
    );
    assert_books_balance(&pool).await;

    // B comes back: the money returns to available and the account is flagged.
    let returned = Move::Returned {
        payout_id: b_id,
        staff: &importer,
        reason: "Account closed (AC04)",
    };
    transition::apply(platform, returned, &facts).await.unwrap();
    assert_eq!(balances(&pool, b).await, (5_000, 0));
    assert_eq!(payouts_of(&pool, b).await[0].3, "returned");
    let mut conn = pool.acquire().await.unwrap();
    assert!(
        platform::payouts::reading::account_flagged_at(&mut conn, MerchantId::from_uuid(b))
            .await
            .unwrap()
            .is_some()
    );
    let mails = crate::support::accounts::mails_to(&server, &format!("owner-{b}@shop.test")).await;
    assert_eq!(mails.len(), 1, "the owner is told");
    assert!(
        mails[0].contains("returned the Saleonix payout")
            && mails[0].contains("Account closed (AC04)"),
        "{}",
        mails[0]
    );
    assert!(
        mails[0].contains("50.00 EUR") && !mails[0].contains("1212012345678999"),
        "amount told, IBAN masked"
    );
    let paid_after = transition::apply(
        platform,
        Move::Paid {
            payout_id: b_id,
            staff: &importer,
        },
        &facts,
    )
    .await;
    assert!(
        matches!(paid_after, Err(PayoutError::NotAllowed(_))),
        "{paid_after:?}"
    );
    let returned_again = Move::Returned {
        payout_id: a_id,
        staff: &importer,
        reason: "late",
    };
    assert!(matches!(
        transition::apply(platform, returned_again, &facts).await,
        Err(PayoutError::NotAllowed(_))
    ));
    assert_books_balance(&pool).await;

    // A new account clears the flag: the next payout may go there.
    bank_account(
        platform,
        b,
        "Prizren Filigree",
        &iban("XK", "1212012345670001"),
        -1,
    )
    .await;
    assert!(
        platform::payouts::reading::account_flagged_at(&mut conn, MerchantId::from_uuid(b))
            .await
            .unwrap()
            .is_none()
    );
}
