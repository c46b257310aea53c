//! Password hashing with Argon2id.
//!
//! Parameters: m = 19 MiB, t = 2, p = 1, OWASP's current minimum for Argon2id. They are
//! written into each PHC string, so they can be raised later and old hashes recognised
//! (and upgraded at the next sign-in) by comparing the stored parameters with these.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the Argon2 parameters above are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Returns the PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…`. CPU-heavy (tens of
/// milliseconds): async callers run it on a blocking thread.
pub fn hash(password: &SecretString) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .expect("hashing with valid parameters and a fresh salt cannot fail")
        .to_string()
}

/// Constant-time verification against a stored PHC string; a malformed string is a
/// mismatch, never a panic.
pub fn verify(password: &SecretString, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|parsed| argon2().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_documented_parameters_and_verify() {
        let password = SecretString::from("correct horse battery staple");
        let phc = hash(&password);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&password, &phc));
        assert!(!verify(&SecretString::from("correct horse battery stapler"), &phc));
        assert!(!verify(&password, "not a phc string"));
        assert_ne!(phc, hash(&password), "a fresh salt every time");
    }
}
