//! Fixed-window rate limits counted in Postgres, so several server instances share one
//! count. A hit is one atomic upsert; rows of windows long past are pruned as the
//! counters are written, so the table stays small without a separate job.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::config::LimitRule;
use crate::db::WITHOUT_FLUSH_WAIT;

/// A limit: at most `max` hits per `window` for one key of `bucket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub fn new(bucket: &'static str, rule: LimitRule) -> Self {
        Self {
            bucket,
            max: rule.max,
            window: Duration::from_secs(rule.window_secs),
        }
    }
}

/// The key a client's per-client limits count under: its network (`client_ip::network`:
/// the address for IPv4, the /64 for IPv6), or "unknown" when the server did not learn it.
pub fn client_key(facts: &crate::audit::RequestFacts) -> String {
    let ip = facts.ip.as_deref().and_then(|ip| ip.parse().ok());
    ip.map_or_else(
        || "unknown".to_owned(),
        |ip| crate::client_ip::network(ip).to_string(),
    )
}

/// The per-account key for an email address as typed: a digest, so the counters table
/// holds no addresses, and the same for every spelling of one address.
pub fn account_key(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over the limit; the window ends in `retry_after`. `first` marks the first refusal
    /// of the window, so a refusal can be recorded once per window rather than per request.
    Limited {
        retry_after: Duration,
        first: bool,
    },
}

/// One hit counted: the hits of `key` in the current window (this one included) and the
/// time left in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub hits: u32,
    pub window_left: Duration,
}

/// Counts one hit for `key` in `limit`'s current window; rows of windows long past are
/// pruned as a new window starts.
pub async fn count(pool: &PgPool, limit: Limit, key: &str) -> Result<Count, sqlx::Error> {
    let window = limit.window.as_secs().max(1) as f64;
    // A hit lost in a database crash only lets one more request through, so the counter's
    // commit does not wait for the disk: the hot row of a busy key is unlocked sooner.
    let (hits, seconds_left): (i32, f64) = sqlx::query_as(&format!(
        "INSERT INTO rate_limit_hits (bucket, key, window_start, hits)
         SELECT $1, $2, to_timestamp(floor(extract(epoch FROM now()) / $3) * $3), 1
         FROM {WITHOUT_FLUSH_WAIT}
         ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
         RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $3) - now())::float8",
    ))
    .bind(limit.bucket)
    .bind(key)
    .bind(window)
    .fetch_one(pool)
    .await?;
    if hits == 1 {
        // The first hit of a new window: a cheap moment to prune windows a day old.
        sqlx::query("DELETE FROM rate_limit_hits WHERE window_start < now() - interval '1 day' - make_interval(secs => $1)")
            .bind(window)
            .execute(pool)
            .await?;
    }
    Ok(Count {
        hits: u32::try_from(hits).unwrap_or(u32::MAX),
        window_left: Duration::from_secs(seconds_left.ceil().max(1.0) as u64),
    })
}

/// Counts one hit for `key` and says whether it is within the limit. Hits over the limit
/// are counted too, so a client that keeps trying stays limited for the whole window.
pub async fn hit(pool: &PgPool, limit: Limit, key: &str) -> Result<Decision, sqlx::Error> {
    let Count { hits, window_left } = count(pool, limit, key).await?;
    Ok(if hits <= limit.max {
        Decision::Allowed
    } else {
        Decision::Limited {
            retry_after: window_left,
            first: hits == limit.max + 1,
        }
    })
}

/// The hits for `key` in the current window and the one before it, without counting one:
/// "recently" for a check that must not itself be a hit (such as whether an address has
/// failed a sign-in lately). Two windows, so that a hit just before a window's end is
/// still seen just after it.
pub async fn recent(pool: &PgPool, limit: Limit, key: &str) -> Result<u32, sqlx::Error> {
    let window = limit.window.as_secs().max(1) as f64;
    let hits: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(hits), 0)::int8 FROM rate_limit_hits
         WHERE bucket = $1 AND key = $2 AND window_start >= to_timestamp((floor(extract(epoch FROM now()) / $3) - 1) * $3)",
    )
    .bind(limit.bucket)
    .bind(key)
    .bind(window)
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(hits).unwrap_or(u32::MAX))
}

/// Counts one hit against every check (so a client over one limit keeps counting against
/// the others) and answers with the longest wait if any is over. The first refusal of a
/// window goes to the audit trail; the rest of a flood only counts, so it cannot fill the
/// disk. `Err(Some(wait))` is a refusal, `Err(None)` a database failure.
pub async fn enforce(
    pool: &PgPool,
    checks: &[(&'static str, LimitRule, &str)],
    facts: &crate::audit::RequestFacts,
) -> Result<(), Option<Duration>> {
    use crate::audit::{self, Actor, ActorKind, Event, Outcome};
    let mut retry_after = None;
    for (bucket, rule, key) in checks {
        match hit(pool, Limit::new(bucket, *rule), key).await {
            Ok(Decision::Allowed) => {}
            Ok(Decision::Limited {
                retry_after: wait,
                first,
            }) => {
                retry_after = retry_after.max(Some(wait));
                if first {
                    let event = Event::new("rate_limit.refused", Actor { kind: ActorKind::Anonymous, id: None }, Outcome::Denied)
                        .reason(format!("over the {bucket} limit"))
                        .detail(serde_json::json!({ "bucket": bucket, "max": rule.max, "window_secs": rule.window_secs }));
                    if let Err(error) = audit::record_alone(pool, &event, facts).await {
                        tracing::error!(%error, "recording a rate-limit refusal failed");
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "rate limit check failed");
                return Err(None);
            }
        }
    }
    match retry_after {
        None => Ok(()),
        Some(wait) => {
            tracing::warn!(buckets = ?checks.iter().map(|c| c.0).collect::<Vec<_>>(), "rate limited");
            Err(Some(wait))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::postgres::PgPoolOptions;

    const LIMIT: Limit = Limit {
        bucket: "test",
        max: 3,
        window: Duration::from_secs(3600),
    };

    #[sqlx::test(migrations = "../migrations")]
    async fn the_limit_holds_per_key_and_says_when_to_retry(pool: PgPool) {
        for _ in 0..3 {
            assert_eq!(
                hit(&pool, LIMIT, "10.0.0.1").await.unwrap(),
                Decision::Allowed
            );
        }
        match hit(&pool, LIMIT, "10.0.0.1").await.unwrap() {
            Decision::Limited { retry_after, first } => {
                assert!(retry_after > Duration::ZERO && retry_after <= LIMIT.window);
                assert!(first, "the first refusal of the window says so");
            }
            Decision::Allowed => panic!("the fourth hit must be limited"),
        }
        assert!(matches!(
            hit(&pool, LIMIT, "10.0.0.1").await.unwrap(),
            Decision::Limited { first: false, .. }
        ));
        assert_eq!(
            hit(&pool, LIMIT, "10.0.0.2").await.unwrap(),
            Decision::Allowed,
            "other keys are unaffected"
        );
        let other_bucket = Limit {
            bucket: "other",
            ..LIMIT
        };
        assert_eq!(
            hit(&pool, other_bucket, "10.0.0.1").await.unwrap(),
            Decision::Allowed
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn recent_hits_are_read_without_being_counted(pool: PgPool) {
        assert_eq!(recent(&pool, LIMIT, "k").await.unwrap(), 0);
        hit(&pool, LIMIT, "k").await.unwrap();
        hit(&pool, LIMIT, "k").await.unwrap();
        assert_eq!(recent(&pool, LIMIT, "k").await.unwrap(), 2);
        assert_eq!(
            recent(&pool, LIMIT, "k").await.unwrap(),
            2,
            "reading counts nothing"
        );
        assert_eq!(recent(&pool, LIMIT, "other").await.unwrap(), 0);
    }

    #[test]
    fn clients_are_keyed_by_network() {
        let key = |ip: Option<&str>| {
            client_key(&crate::audit::RequestFacts {
                ip: ip.map(str::to_owned),
                ..Default::default()
            })
        };
        assert_eq!(
            key(Some("2001:db8:5:6::1")),
            key(Some("2001:db8:5:6:ffff::2")),
            "one /64, one key"
        );
        assert_ne!(key(Some("2001:db8:5:6::1")), key(Some("2001:db8:5:7::1")));
        assert_eq!(key(Some("203.0.113.7")), "203.0.113.7/32");
        assert_eq!(key(Some("unknown")), "unknown");
        assert_eq!(key(None), "unknown");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_hit_skips_the_flush_wait_for_its_own_commit_alone(pool: PgPool) {
        // One connection, so the next statement runs where the hit ran: a payment written
        // there next must still wait for the disk.
        let one = PgPoolOptions::new()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap();
        hit(&one, LIMIT, "k").await.unwrap();
        let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&one)
            .await
            .unwrap();
        assert_eq!(setting, "on");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn two_instances_on_one_database_share_the_count(pool: PgPool) {
        // A second pool is what a second server instance would have.
        let second = PgPoolOptions::new()
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap();
        assert_eq!(hit(&pool, LIMIT, "k").await.unwrap(), Decision::Allowed);
        assert_eq!(hit(&second, LIMIT, "k").await.unwrap(), Decision::Allowed);
        assert_eq!(hit(&pool, LIMIT, "k").await.unwrap(), Decision::Allowed);
        assert!(matches!(
            hit(&second, LIMIT, "k").await.unwrap(),
            Decision::Limited { .. }
        ));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn concurrent_hits_are_all_counted(pool: PgPool) {
        let limit = Limit { max: 10, ..LIMIT };
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let pool = pool.clone();
            tasks.spawn(async move { hit(&pool, limit, "burst").await.unwrap() });
        }
        let mut allowed = 0;
        while let Some(decision) = tasks.join_next().await {
            allowed += usize::from(decision.unwrap() == Decision::Allowed);
        }
        assert_eq!(
            allowed, 10,
            "exactly the limit gets through, however the hits interleave"
        );
    }
}
