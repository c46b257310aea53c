//! Checking the chain end to end, and purging it past retention.

use super::*;

/// Rows are read in pages of this many (by id, not by offset), so verifying never holds
/// the whole table in memory nor one long-running query.
pub(super) const VERIFY_PAGE: i64 = 1000;

/// Seals what is committed ([`seal`]), then recomputes the whole chain in chain order and
/// records the result in `audit.chain_checks`.
///
/// A row is broken when its `prev_hash` is not the previous row's hash, its `row_hash`
/// does not match its content, or its personal fields do not match its digest (a redacted
/// row, without salt, must have no personal fields left). The head of the previous check
/// must still be there with the same hash, which catches rows removed from the end. After
/// a retention purge ([`purge_expired`]) the chain starts from the purge's anchor: the first
/// remaining row must link to the last purged one.
pub async fn verify_chain(pool: &PgPool) -> Result<ChainReport, sqlx::Error> {
    seal(pool).await?;
    let purged: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit.purges ORDER BY id DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    let purged_through = purged.as_ref().map_or(0, |(seq, _)| *seq);
    let anchor = last_check(pool)
        .await?
        .and_then(|check| check.head)
        .filter(|head| head.seq > purged_through);
    let mut anchor_seen = false;
    let mut report = ChainReport {
        rows_checked: 0,
        head: None,
        first_broken: None,
        unsealed: 0,
    };
    let mut expected_prev = match purged {
        Some((_, hash)) => ChainHash::from_db(hash).unwrap_or(ChainHash::GENESIS),
        None => ChainHash::GENESIS,
    };
    let mut after = 0i64;
    loop {
        let rows = sqlx::query_as::<_, StoredRow>(&format!(
            "SELECT {STORED_COLUMNS} FROM audit.events WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after)
        .bind(VERIFY_PAGE)
        .fetch_all(pool)
        .await?;
        let last_page = (rows.len() as i64) < VERIFY_PAGE;
        for row in rows {
            // Only sealed rows are read, and a sealed row has all three.
            let seq = row.seq.unwrap_or_default();
            after = seq;
            report.rows_checked += 1;
            let mut broken = !row.is_intact(&expected_prev);
            if let Some(anchor) = anchor
                && !anchor_seen
                && seq >= anchor.seq
            {
                anchor_seen = true;
                // Past the previous head without meeting it: that row is gone.
                if seq > anchor.seq {
                    report.first_broken.get_or_insert(anchor.id);
                }
                broken |= seq == anchor.seq && row.row_hash.as_deref() != Some(&anchor.hash.0[..]);
            }
            // The next row must link to what this row claims, so that one changed row is
            // reported alone rather than with every row after it. A hash of the wrong
            // length (only possible with the table's checks dropped) is itself a break.
            let claimed = row.row_hash.and_then(|hash| ChainHash::from_db(hash).ok());
            if broken || claimed.is_none() {
                report.first_broken.get_or_insert(row.id);
            }
            expected_prev = claimed.unwrap_or(ChainHash::GENESIS);
            report.head = Some(ChainHead {
                id: row.id,
                seq,
                hash: expected_prev,
            });
        }
        if last_page {
            break;
        }
    }
    if let Some(anchor) = anchor
        && !anchor_seen
    {
        report.first_broken.get_or_insert(anchor.id);
    }
    report.unsealed = sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE seq IS NULL")
        .fetch_one(pool)
        .await?;
    sqlx::query(
        "INSERT INTO audit.chain_checks (rows_checked, head_id, head_seq, head_hash, first_broken_id)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(report.rows_checked)
    .bind(report.head.map(|head| head.id))
    .bind(report.head.map(|head| head.seq))
    .bind(report.head.map(|head| head.hash.0.to_vec()))
    .bind(report.first_broken)
    .execute(pool)
    .await?;
    Ok(report)
}

/// Purges audit rows older than `keep_days` (at least five years; the database refuses
/// less), leaving an anchor the chain check starts from, and records the purge. Returns how
/// many rows went.
pub async fn purge_expired(pool: &PgPool, keep_days: u32) -> Result<i64, AuditError> {
    let keep_days = i32::try_from(keep_days).unwrap_or(i32::MAX);
    let mut tx = pool.begin().await?;
    let purged: i64 = sqlx::query_scalar("SELECT audit.purge($1)")
        .bind(keep_days)
        .fetch_one(&mut *tx)
        .await?;
    if purged > 0 {
        let event = Event::new(
            "audit.purged",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Success,
        )
        .detail(serde_json::json!({ "rows": purged, "keep_days": keep_days }));
        record(&mut tx, &event, &RequestFacts::default()).await?;
    }
    tx.commit().await?;
    Ok(purged)
}

/// The newest sealed row, or none while nothing is sealed.
pub async fn head(pool: &PgPool) -> Result<Option<ChainHead>, sqlx::Error> {
    let row: Option<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, seq, row_hash FROM audit.events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    row.map(|(id, seq, hash)| {
        Ok(ChainHead {
            id,
            seq,
            hash: ChainHash::from_db(hash)?,
        })
    })
    .transpose()
}

/// The most recent [`verify_chain`] run, or none if the chain was never verified.
pub async fn last_check(pool: &PgPool) -> Result<Option<ChainCheck>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        checked_at: OffsetDateTime,
        rows_checked: i64,
        head_id: Option<i64>,
        head_seq: Option<i64>,
        head_hash: Option<Vec<u8>>,
        first_broken_id: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT checked_at, rows_checked, head_id, head_seq, head_hash, first_broken_id
         FROM audit.chain_checks ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some(Row {
        checked_at,
        rows_checked,
        head_id,
        head_seq,
        head_hash,
        first_broken_id: first_broken,
    }) = row
    else {
        return Ok(None);
    };
    let head = match (head_id, head_seq, head_hash) {
        (Some(id), Some(seq), Some(hash)) => Some(ChainHead {
            id,
            seq,
            hash: ChainHash::from_db(hash)?,
        }),
        _ => None,
    };
    Ok(Some(ChainCheck {
        checked_at,
        rows_checked,
        head,
        first_broken,
    }))
}
