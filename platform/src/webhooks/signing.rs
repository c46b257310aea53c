//! Standard Webhooks signatures: `webhook-signature` is `v1,` and the base64 HMAC-SHA256
//! of `{webhook-id}.{webhook-timestamp}.{body}` under the secret's 32 bytes, one such
//! signature per secret in force, separated by spaces (during a rotation's overlap both
//! the new and the old secret sign, so receivers holding either verify).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;

/// The prefix of a secret as a merchant sees it: `whsec_` and the base64 of its bytes.
pub const SECRET_PREFIX: &str = "whsec_";
pub const SECRET_BYTES: usize = 32;

/// A new random signing key.
pub fn new_key() -> SecretBox<[u8; SECRET_BYTES]> {
    use rand::RngCore as _;
    let mut key = Box::new([0u8; SECRET_BYTES]);
    rand::rngs::OsRng.fill_bytes(key.as_mut_slice());
    SecretBox::new(key)
}

/// The key as shown once to the merchant: `whsec_<base64>`.
pub fn render(key: &[u8]) -> SecretString {
    SecretString::from(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

/// The `webhook-signature` header for `body` signed by each of `keys`.
pub fn signature_header(keys: &[&[u8]], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .filter_map(|key| {
            // HMAC takes keys of any length, so this never skips a key.
            let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bytes of a rendered secret, for tests and tools that hold only the text.
pub fn key_of(secret: &SecretString) -> Option<Vec<u8>> {
    let encoded = secret.expose_secret().strip_prefix(SECRET_PREFIX)?;
    STANDARD.decode(encoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_example() {
        // The specification's published example: secret, id, timestamp, body, signature.
        let secret = SecretString::from("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned());
        let key = key_of(&secret).unwrap();
        let header = signature_header(
            &[&key],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn each_key_signs_once_and_the_secret_round_trips() {
        let key = new_key();
        let rendered = render(key.expose_secret());
        assert!(rendered.expose_secret().starts_with("whsec_"));
        assert_eq!(key_of(&rendered).unwrap(), key.expose_secret().to_vec());
        let header = signature_header(&[b"one", b"two"], "evt_1", 1, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert_ne!(header.split(' ').next(), header.split(' ').nth(1));
    }
}
