//! The demo platform a fresh development database gets: a platform admin, a staff member,
//! a verified merchant with a product, and the Test Mode gateway account pointing at the
//! local Payten sandbox. Passwords are random and returned once for the console; only
//! their Argon2id hashes are stored.

use domain::MerchantId;
use rand::Rng;
use rand::distributions::Alphanumeric;
use secrecy::SecretString;
use sqlx::PgPool;
use uuid::Uuid;

use crate::field_crypto::KeyRing;
use crate::gateway_accounts::{self, GatewayAccount, Mode};
use crate::password;

pub const ADMIN_EMAIL: &str = "admin@saleonix.test";
pub const STAFF_EMAIL: &str = "staff@saleonix.test";
pub const MERCHANT_EMAIL: &str = "owner@dardania-crafts.test";

/// One seeded sign-in, to be printed once.
pub struct DemoAccount {
    pub role: &'static str,
    pub email: &'static str,
    pub password: SecretString,
}

fn random_password() -> SecretString {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect::<String>()
        .into()
}

/// Seeds the demo platform unless it is already there. Returns the new accounts, or
/// `None` when an earlier run seeded them (their passwords were printed then).
/// The sandbox's built-in development store (see sandbox/README.md): sandbox-only values,
/// never real credentials.
fn sandbox_test_account(endpoints: payten::GatewayEndpoints) -> GatewayAccount {
    GatewayAccount {
        mode: Mode::Test,
        endpoints,
        credentials: payten::Credentials {
            client_id: "520000001".into(),
            store_key: SecretString::from("SANDBOX-STORE-KEY-TEST"),
            api_user: "saleonix-api".into(),
            api_password: SecretString::from("SANDBOX-API-PASSWORD"),
        },
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seeding the demo failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("hashing the demo passwords failed: {0}")]
    Hashing(String),
}

pub async fn seed_demo(
    pool: &PgPool,
    keys: &KeyRing,
    sandbox: payten::GatewayEndpoints,
) -> Result<Option<Vec<DemoAccount>>, SeedError> {
    let mut tx = pool.begin().await?;
    // Serialises concurrent seeders (two `./dev` runs) on one database.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('saleonix-demo-seed'))")
        .execute(&mut *tx)
        .await?;
    let seeded: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(ADMIN_EMAIL)
        .fetch_one(&mut *tx)
        .await?;
    if seeded {
        return Ok(None);
    }

    let accounts = vec![
        DemoAccount {
            role: "platform admin",
            email: ADMIN_EMAIL,
            password: random_password(),
        },
        DemoAccount {
            role: "staff",
            email: STAFF_EMAIL,
            password: random_password(),
        },
        DemoAccount {
            role: "merchant owner",
            email: MERCHANT_EMAIL,
            password: random_password(),
        },
    ];
    // Argon2 is deliberately slow; hash off the async runtime.
    let hashes = {
        let passwords: Vec<SecretString> = accounts.iter().map(|a| a.password.clone()).collect();
        tokio::task::spawn_blocking(move || {
            passwords
                .iter()
                .map(password::hash)
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|error| SeedError::Hashing(error.to_string()))?
        .map_err(|error| SeedError::Hashing(error.to_string()))?
    };
    let kinds = ["platform_admin", "staff", "merchant"];
    let names = ["Arta Krasniqi", "Besnik Gashi", "Drita Berisha"];
    let mut user_ids = Vec::new();
    for (((account, hash), kind), name) in accounts.iter().zip(&hashes).zip(kinds).zip(names) {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
             VALUES ($1, $2, $3, $4::user_kind, $5, now())",
        )
        .bind(id)
        .bind(account.email)
        .bind(name)
        .bind(kind)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
        user_ids.push(id);
    }

    // The demo staff member reads merchants, payments and the audit trail, and works refunds.
    sqlx::query(
        "INSERT INTO staff_permissions (user_id, module, level, granted_by)
         VALUES ($1, 'merchants', 'view', $2), ($1, 'payments', 'view', $2), ($1, 'refunds', 'act', $2),
                ($1, 'audit', 'view', $2)",
    )
    .bind(user_ids[1])
    .bind(user_ids[0])
    .execute(&mut *tx)
    .await?;

    let merchant_id = MerchantId::from_uuid(Uuid::new_v4());
    sqlx::query("INSERT INTO merchants (id, business_name, verified_at) VALUES ($1, 'Dardania Crafts', now())")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')",
    )
    .bind(merchant_id)
    .bind(user_ids[2])
    .execute(&mut *tx)
    .await?;
    approved_application(&mut tx, keys, merchant_id, user_ids[0]).await?;
    let product_id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO products (id, merchant_id, mode, name, price_minor, currency)
         VALUES ($1, $2, 'test', 'Silver filigree earrings', 4500, 'EUR')",
    )
    .bind(product_id)
    .bind(merchant_id)
    .execute(&mut *tx)
    .await?;
    // A link to it, so the dashboard's Links screen and a buyer's page have something to show.
    sqlx::query(
        "INSERT INTO payment_links (id, merchant_id, mode, token, product_id, title, amount_minor, currency)
         VALUES ($1, $2, 'test', $3, $4, 'Silver filigree earrings', 4500, 'EUR')",
    )
    .bind(Uuid::new_v4())
    .bind(merchant_id)
    .bind(crate::payments::public_token("pl"))
    .bind(product_id)
    .execute(&mut *tx)
    .await?;
    gateway_accounts::save(&mut tx, keys, &sandbox_test_account(sandbox)).await?;
    tx.commit().await?;
    Ok(Some(accounts))
}

/// The demo merchant's KYC application, approved by the demo admin with every item
/// accepted, so its Live Mode (`verified_at`) is what a review would have left. The
/// documents themselves are not seeded: the console lists none for it.
async fn approved_application(
    tx: &mut sqlx::PgConnection,
    keys: &KeyRing,
    merchant_id: MerchantId,
    admin: Uuid,
) -> Result<(), sqlx::Error> {
    crate::kyc::ensure_application(&mut *tx, merchant_id).await?;
    sqlx::query(
        "UPDATE kyc_applications
         SET status = 'approved', legal_form = 'llc', registered_name = 'Dardania Crafts SH.P.K.',
             trading_name = 'Dardania Crafts', registration_number = '811234567', fiscal_number = '600123456',
             address_line = 'Rr. Nëna Terezë 12', city = 'Prishtinë', postal_code = '10000',
             website = 'https://dardania-crafts.test', category = 'retail_goods',
             monthly_volume_minor = 1500000, average_ticket_minor = 4500, pep_declared = false,
             submitted_at = now(), decided_at = now(), decided_by = $2
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(admin)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE kyc_items SET state = 'accepted', reason = NULL, reviewed_by = $2, reviewed_at = now() WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(admin)
    .execute(&mut *tx)
    .await?;
    let person_id = Uuid::new_v4();
    let slot = crate::field_crypto::FieldSlot {
        table: "kyc_people",
        column: "personal_number_enc",
        row: &person_id.to_string(),
    };
    // A made-up Kosovo personal number (ten digits) for the demo only.
    let sealed = keys.encrypt(slot, b"1234567890")?;
    sqlx::query(
        "INSERT INTO kyc_people (id, merchant_id, is_representative, ownership_percent, full_name, date_of_birth,
                                 nationality, personal_number_enc, address)
         VALUES ($1, $2, true, 100, 'Drita Berisha', '1985-04-12', 'XK', $3, 'Rr. Nëna Terezë 12, 10000 Prishtinë')",
    )
    .bind(person_id)
    .bind(merchant_id)
    .bind(sealed)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::roles::{Level, Module};
    use secrecy::ExposeSecret;

    #[sqlx::test(migrations = "../migrations")]
    async fn seeds_once_with_working_passwords_and_the_sandbox_account(pool: PgPool) {
        let keys =
            KeyRing::new(1, vec![(1, secrecy::SecretBox::new(Box::new([5u8; 32])))]).unwrap();
        let sandbox = || payten::GatewayEndpoints::from_base("http://127.0.0.1:8600");
        let accounts = seed_demo(&pool, &keys, sandbox())
            .await
            .unwrap()
            .expect("first run seeds");
        assert_eq!(accounts.len(), 3);
        assert!(
            seed_demo(&pool, &keys, sandbox()).await.unwrap().is_none(),
            "second run leaves it alone"
        );
        let test = gateway_accounts::load(&pool, &keys, Mode::Test)
            .await
            .unwrap()
            .expect("a Test Mode account");
        assert_eq!(test.endpoints, sandbox());
        assert!(
            gateway_accounts::load(&pool, &keys, Mode::Live)
                .await
                .unwrap()
                .is_none(),
            "no live account"
        );

        for account in &accounts {
            let (phc, verified): (String, bool) = sqlx::query_as(
                "SELECT password_hash, email_verified_at IS NOT NULL FROM users WHERE email = $1",
            )
            .bind(account.email)
            .fetch_one(&pool)
            .await
            .unwrap();
            assert!(verified);
            assert!(password::verify(&account.password, &phc));
            assert!(!phc.contains(account.password.expose_secret()));
        }
        let (verified, product_price): (bool, i64) = sqlx::query_as(
            "SELECT m.verified_at IS NOT NULL, p.price_minor FROM merchants m JOIN products p ON p.merchant_id = m.id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(verified);
        assert_eq!(product_price, 4500);
        // Verified through an approved application, as the KYC review leaves it.
        let (status, accepted): (String, i64) = sqlx::query_as(
            "SELECT a.status::text, (SELECT count(*) FROM kyc_items i WHERE i.merchant_id = a.merchant_id AND i.state = 'accepted')
             FROM kyc_applications a",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((status.as_str(), accepted), ("approved", 6));
        let link: String = sqlx::query_scalar(
            "SELECT l.token FROM payment_links l JOIN products p ON p.id = l.product_id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(
            link.starts_with("pl_") && link.len() == 25,
            "a random public token: {link}"
        );
        let staff = crate::identity::users::load_active(&pool, staff_id(&pool).await)
            .await
            .unwrap()
            .unwrap();
        assert!(
            staff.permissions().allows(Module::Refunds, Level::Act)
                && !staff.permissions().allows(Module::Risk, Level::View)
        );
    }

    async fn staff_id(pool: &PgPool) -> Uuid {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(STAFF_EMAIL)
            .fetch_one(pool)
            .await
            .unwrap()
    }
}
