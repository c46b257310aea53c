//! Chaining committed rows: one sealer at a time across instances, a batch at a time.
//!
//! Writers insert rows unchained ([`record`]), so no audited action waits for another. The
//! sealer reads the rows committed since its last batch, in id order, and gives each the
//! next chain position and its hashes. A row whose transaction commits late (a lower id
//! than rows already sealed) simply joins a later batch: chain order is seal order.

use super::*;

/// Rows chained per transaction: a burst of writers is chained in a few round trips, and
/// one batch never holds the lock long.
pub const SEAL_BATCH: i64 = 1000;

/// Chains every committed row not chained yet and returns how many it chained. When
/// another sealer holds the lock it returns 0 at once: that one is doing the work.
pub async fn seal(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut sealed = 0;
    loop {
        let batch = seal_batch(pool).await?;
        sealed += batch;
        if batch < SEAL_BATCH as u64 {
            return Ok(sealed);
        }
    }
}

async fn seal_batch(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(CHAIN_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(0);
    }
    // Statements after the lock see every batch sealed before it was taken. A purge's anchor
    // is older than every row left, so it is the head only when no sealed row is.
    let head: Option<(i64, Vec<u8>)> = sqlx::query_as(
        "(SELECT seq, row_hash FROM audit.events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)
         UNION ALL
         (SELECT last_seq, last_hash FROM audit.purges ORDER BY id DESC LIMIT 1)
         ORDER BY 1 DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (mut seq, mut prev) = match head {
        Some((seq, hash)) => (seq, ChainHash::from_db(hash)?),
        None => (0, ChainHash::GENESIS),
    };
    let rows: Vec<StoredRow> = sqlx::query_as(&format!(
        "SELECT {STORED_COLUMNS} FROM audit.events WHERE seq IS NULL ORDER BY id LIMIT $1"
    ))
    .bind(SEAL_BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (mut ids, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
    for row in &rows {
        seq += 1;
        let hash = row.hash_after(&prev);
        ids.push(row.id);
        seqs.push(seq);
        prevs.push(prev.0.to_vec());
        hashes.push(hash.0.to_vec());
        prev = hash;
    }
    sqlx::query(
        "UPDATE audit.events AS e SET seq = s.seq, prev_hash = s.prev_hash, row_hash = s.row_hash
         FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS s(id, seq, prev_hash, row_hash)
         WHERE e.id = s.id",
    )
    .bind(&ids)
    .bind(&seqs)
    .bind(&prevs)
    .bind(&hashes)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}
