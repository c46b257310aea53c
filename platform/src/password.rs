//! Password hashing with Argon2id, and the strength rule new passwords must pass.
//!
//! Parameters: m = 19 MiB, t = 2, p = 1, OWASP's current minimum for Argon2id. They are
//! written into each PHC string, so they can be raised later and old hashes recognised
//! (and upgraded at the next sign-in) by comparing the stored parameters with these.

use std::sync::Arc;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// The library's defaults are OWASP's minimum, the parameters above (a test holds them
/// equal); taking them as they are leaves no invalid combination to handle.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashing could not run: the library refused its input, or the worker thread was lost.
/// Neither happens with the parameters above; callers answer it as an internal error.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Returns the PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…`. CPU-heavy (tens of
/// milliseconds): async callers run it on a blocking thread.
pub fn hash(password: &SecretString) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|phc| phc.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Constant-time verification against a stored PHC string; a malformed string is a
/// mismatch, never a panic.
pub fn verify(password: &SecretString, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    })
}

/// Whether a stored hash was made with weaker settings than today's (or another
/// algorithm), and should be replaced at the next successful sign-in.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let param = |name: &str| parsed.params.get_decimal(name).unwrap_or(0);
    parsed.algorithm != argon2::ARGON2ID_IDENT
        || param("m") < MEMORY_KIB
        || param("t") < ITERATIONS
        || param("p") < PARALLELISM
}

pub const MIN_LENGTH: usize = 12;

/// A new password must have at least [`MIN_LENGTH`] characters and a zxcvbn score of 3
/// ("safely unguessable") or more, given the account's own words (`context`: email, name,
/// business), which make a password easy to guess for whoever knows them. The error is a
/// sentence for the person choosing the password.
pub fn check_strength(password: &SecretString, context: &[&str]) -> Result<(), String> {
    let password = password.expose_secret();
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters."));
    }
    if password.chars().count() > 256 {
        return Err("Use at most 256 characters.".into());
    }
    // zxcvbn matches each input as one dictionary word, so names and addresses go in by parts.
    let words: Vec<String> = context
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if estimate.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    let feedback = estimate.feedback();
    let warning = feedback.and_then(|f| f.warning()).map(|w| w.to_string());
    let suggestion = feedback
        .and_then(|f| f.suggestions().first())
        .map(|s| s.to_string());
    Err(match (warning, suggestion) {
        (Some(warning), Some(suggestion)) => {
            format!("This password is too easy to guess: {warning} {suggestion}")
        }
        (Some(reason), None) | (None, Some(reason)) => {
            format!("This password is too easy to guess: {reason}")
        }
        (None, None) => "This password is too easy to guess. Add more words or characters.".into(),
    })
}

/// Verified against when an email is unknown, so that answer costs one hash too: the hash
/// of a password nobody knows, made with today's parameters (a test holds them so).
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsZW9uaXhkdW1teXNhbHQ$8SL+WyJNNXVzcWgbOLcaJU2TiC4ivBAQZ2JqXfvuBK4";

/// Hashing and verification off the async runtime, a bounded number at a time.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| HashError(error.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| HashError(error.to_string()))
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move || hash(&password)).await?
    }

    /// Verifies against `phc`, or against the dummy hash when there is none, taking the
    /// same time either way; a missing hash never verifies.
    pub async fn verify(
        &self,
        password: SecretString,
        phc: Option<String>,
    ) -> Result<bool, HashError> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DUMMY_PHC.to_owned());
        let matches = self.run(move || verify(&password, &phc)).await?;
        Ok(matches && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weaker_or_foreign_hashes_need_a_rehash() {
        assert!(!needs_rehash(&hash(&SecretString::from("x")).unwrap()));
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"x", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(needs_rehash(&weak), "{weak}");
        assert!(needs_rehash("$2b$12$not-argon"));
    }

    #[test]
    fn strength_needs_length_and_an_unguessable_password() {
        let check = |p: &str| {
            check_strength(
                &SecretString::from(p),
                &["drita@example.com", "Drita Berisha"],
            )
        };
        assert_eq!(check("short-pw"), Err("Use at least 12 characters.".into()));
        let common = check("password1234").unwrap_err();
        assert!(
            common.starts_with("This password is too easy to guess"),
            "{common}"
        );
        assert!(
            check("dritaberisha").is_err(),
            "the account's own name does not make a password"
        );
        assert!(check("vivid-otter-lantern-92").is_ok());
    }

    #[tokio::test]
    async fn the_service_verifies_and_never_accepts_a_missing_hash() {
        let passwords = Passwords::new(1);
        let secret = || SecretString::from("vivid-otter-lantern-92");
        let phc = passwords.hash(secret()).await.unwrap();
        assert!(passwords.verify(secret(), Some(phc)).await.unwrap());
        assert!(!passwords.verify(secret(), None).await.unwrap());
    }

    #[test]
    fn the_defaults_are_the_documented_parameters_and_the_dummy_uses_them() {
        let params = Params::default();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, ITERATIONS, PARALLELISM)
        );
        assert!(PasswordHash::new(DUMMY_PHC).is_ok());
        assert!(
            !needs_rehash(DUMMY_PHC),
            "the dummy costs what a real hash costs"
        );
    }

    #[test]
    fn hashes_are_argon2id_with_the_documented_parameters_and_verify() {
        let password = SecretString::from("correct horse battery staple");
        let phc = hash(&password).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&password, &phc));
        assert!(!verify(
            &SecretString::from("correct horse battery stapler"),
            &phc
        ));
        assert!(!verify(&password, "not a phc string"));
        assert_ne!(phc, hash(&password).unwrap(), "a fresh salt every time");
    }
}
