//! Password hashing with Argon2id, and the strength rule new passwords must pass.
//!
//! Parameters: m = 19 MiB, t = 2, p = 1, OWASP's current minimum for Argon2id. They are
//! written into each PHC string, so they can be raised later and old hashes recognised
//! (and upgraded at the next sign-in) by comparing the stored parameters with these.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{
    self, Output, ParamsString, PasswordHash, Salt, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// Hashing could not run: the library refused its input, or the worker thread was lost.
/// Neither happens with the parameters above; callers answer it as an internal error.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Argon2's working memory for one hash, 1 KiB a block: 19 MiB with today's parameters.
/// [`Passwords`] keeps and reuses these rather than allocating one per hash. Allocated per
/// hash on the blocking threads, they stayed in the allocator's per-thread arenas (glibc
/// serves a block that size from an arena once one has been freed), so a sign-in flood
/// left the server 430 MB larger for good (README, "Performance ceiling").
struct Memory(Vec<Block>);

impl Memory {
    fn new() -> Self {
        Self(Vec::new())
    }

    /// Argon2id over `password` and `salt` with `params`, in this memory (grown to what
    /// `params` needs; the library's defaults, the parameters above, need 19,456 blocks).
    fn hash<'a>(
        &mut self,
        password: &[u8],
        params: Params,
        salt: Salt<'a>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let mut salt_buffer = [0; Salt::MAX_LENGTH];
        let salt_bytes = salt.decode_b64(&mut salt_buffer)?;
        if self.0.len() < params.block_count() {
            self.0.resize(params.block_count(), Block::default());
        }
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let hash = Output::init_with(output_len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut self.0)?)
        })?;
        Ok(PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(hash),
        })
    }

    /// Returns the PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…`, with a fresh salt.
    fn hash_new(&mut self, password: &SecretString) -> Result<String, HashError> {
        let salt = SaltString::generate(&mut OsRng);
        self.hash(
            password.expose_secret().as_bytes(),
            Params::default(),
            salt.as_salt(),
        )
        .map(|phc| phc.to_string())
        .map_err(|error| HashError(error.to_string()))
    }

    /// Hashes again with the stored salt and parameters and compares in constant time
    /// (`Output`'s equality). A malformed string, or one of another algorithm or version
    /// than every stored hash has (Argon2id, 0x13), is a mismatch, never a panic.
    fn verify(&mut self, password: &SecretString, phc: &str) -> bool {
        let Ok(stored) = PasswordHash::new(phc) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
            return false;
        };
        let ours = stored.algorithm == argon2::ARGON2ID_IDENT
            && stored.version == Some(Version::V0x13.into());
        let Ok(params) = Params::try_from(&stored) else {
            return false;
        };
        ours && self
            .hash(password.expose_secret().as_bytes(), params, salt)
            .is_ok_and(|computed| computed.hash == Some(expected))
    }
}

/// Returns the PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…`. CPU-heavy (tens of
/// milliseconds): async callers go through [`Passwords`], which runs it on a blocking
/// thread in memory it reuses.
pub fn hash(password: &SecretString) -> Result<String, HashError> {
    Memory::new().hash_new(password)
}

/// Constant-time verification against a stored PHC string; a malformed string is a
/// mismatch, never a panic.
pub fn verify(password: &SecretString, phc: &str) -> bool {
    Memory::new().verify(password, phc)
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

/// Hashing and verification off the async runtime, a bounded number at a time, each in
/// Argon2 memory kept from an earlier hash: never more of it than the number allowed at once.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Memory>>>,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            memory: Arc::default(),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| HashError(error.to_string()))?;
        let kept = Arc::clone(&self.memory);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another hash panicked; the list is still whole.
            let taken = kept.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut memory = taken.unwrap_or_else(Memory::new);
            let result = work(&mut memory);
            kept.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(memory);
            result
        })
        .await
        .map_err(|error| HashError(error.to_string()))
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move |memory| memory.hash_new(&password)).await?
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
        let matches = self
            .run(move |memory| memory.verify(&password, &phc))
            .await?;
        Ok(matches && known)
    }

    /// How many Argon2 memories are kept for reuse.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    /// A PHC string made by the library's own hasher, with a fresh salt.
    fn library_hash(hasher: &Argon2, password: &[u8]) -> String {
        hasher
            .hash_password(password, &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    }

    #[test]
    fn weaker_or_foreign_hashes_need_a_rehash() {
        assert!(!needs_rehash(&hash(&SecretString::from("x")).unwrap()));
        let weak = library_hash(
            &Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(8 * 1024, 1, 1, None).unwrap(),
            ),
            b"x",
        );
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
    fn hashes_agree_with_the_library_s_own_hasher_and_verifier() {
        let password = SecretString::from("vivid-otter-lantern-92");
        let library = Argon2::default();
        let theirs = library_hash(&library, password.expose_secret().as_bytes());
        assert!(
            verify(&password, &theirs),
            "hashes stored before still verify"
        );
        let ours = hash(&password).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            library
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok()
        );
        assert!(
            library
                .verify_password(b"vivid-otter-lantern-93", &parsed)
                .is_err()
        );
        let argon2i = library_hash(
            &Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default()),
            password.expose_secret().as_bytes(),
        );
        assert!(
            !verify(&password, &argon2i),
            "only Argon2id hashes are ours"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_service_keeps_no_more_memory_than_it_runs_hashes_at_once() {
        let passwords = Passwords::new(2);
        let phc = hash(&SecretString::from("vivid-otter-lantern-92")).unwrap();
        let checks = (0..8).map(|i| {
            let passwords = passwords.clone();
            let phc = phc.clone();
            tokio::spawn(async move {
                let guess = SecretString::from(format!("guess-{i}"));
                passwords.verify(guess, Some(phc)).await.unwrap()
            })
        });
        for check in checks {
            assert!(!check.await.unwrap());
        }
        assert!(
            (1..=2).contains(&passwords.kept()),
            "kept {} memories for 2 hashes at a time",
            passwords.kept()
        );
        let right = SecretString::from("vivid-otter-lantern-92");
        assert!(
            passwords.verify(right, Some(phc)).await.unwrap(),
            "reused memory still verifies"
        );
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
