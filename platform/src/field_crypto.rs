//! AES-256-GCM encryption of single database fields (bank details, TOTP secrets, gateway
//! credentials).
//!
//! Stored layout: `version (1) | key id (4, big endian) | nonce (12) | ciphertext+tag`.
//! The key id travels with the value so keys can rotate: new values use the active key,
//! old values still decrypt with theirs. The associated data binds a value to its table,
//! column and row (and to the key id), so a ciphertext copied to another row, column or
//! table fails to decrypt instead of silently moving a secret.

use std::collections::BTreeMap;
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use secrecy::SecretBox;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;

/// Where a value lives; becomes the associated data of its ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct FieldSlot<'a> {
    pub table: &'a str,
    pub column: &'a str,
    /// The row's primary key, as text.
    pub row: &'a str,
}

impl FieldSlot<'_> {
    fn associated_data(&self, key_id: u32) -> Vec<u8> {
        // Lengths first so that ("ab","c") and ("a","bc") cannot produce the same bytes.
        let mut aad = Vec::with_capacity(64);
        aad.extend_from_slice(b"saleonix-field-v1");
        aad.extend_from_slice(&key_id.to_be_bytes());
        for part in [self.table, self.column, self.row] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FieldCryptoError {
    /// AES-GCM refused to seal the value (beyond its length limit).
    #[error("the value could not be encrypted")]
    Unsealable,
    /// Wrong key, wrong slot, or tampered bytes: AES-GCM cannot tell these apart, by design.
    #[error("the stored value does not decrypt for this field")]
    Undecryptable,
    #[error("the stored value is not in a known format")]
    Malformed,
    #[error("the value was encrypted with key {0}, which is not configured")]
    UnknownKey(u32),
    #[error("invalid key ring: {0}")]
    InvalidKeyRing(String),
}

/// Sealing happens as a value is written, so failing to seal is failing to encode it.
impl From<FieldCryptoError> for sqlx::Error {
    fn from(error: FieldCryptoError) -> Self {
        sqlx::Error::Encode(Box::new(error))
    }
}

/// The configured field keys; one of them is active for new values.
pub struct KeyRing {
    active: u32,
    keys: BTreeMap<u32, Aes256Gcm>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// `keys` are `(id, 32 raw bytes)`; `active` must be one of them.
    pub fn new(
        active: u32,
        keys: Vec<(u32, SecretBox<[u8; 32]>)>,
    ) -> Result<Self, FieldCryptoError> {
        use secrecy::ExposeSecret;
        let mut map = BTreeMap::new();
        for (id, key) in keys {
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.expose_secret()));
            if map.insert(id, cipher).is_some() {
                return Err(FieldCryptoError::InvalidKeyRing(format!(
                    "key id {id} appears twice"
                )));
            }
        }
        if !map.contains_key(&active) {
            return Err(FieldCryptoError::InvalidKeyRing(format!(
                "active key {active} is not in the ring"
            )));
        }
        Ok(Self { active, keys: map })
    }

    pub fn active_key_id(&self) -> u32 {
        self.active
    }

    /// Seals `plaintext` under the active key. AES-GCM refuses only plaintexts beyond its
    /// 64 GiB limit, far above any field, but that answer is an error, not a crash.
    pub fn encrypt(
        &self,
        slot: FieldSlot<'_>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, FieldCryptoError> {
        let cipher = self
            .keys
            .get(&self.active)
            .ok_or(FieldCryptoError::UnknownKey(self.active))?;
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let aad = slot.associated_data(self.active);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| FieldCryptoError::Unsealable)?;
        let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&self.active.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn decrypt(
        &self,
        slot: FieldSlot<'_>,
        stored: &[u8],
    ) -> Result<SecretBox<Vec<u8>>, FieldCryptoError> {
        if stored.len() < HEADER_LEN + 16 || stored[0] != VERSION {
            return Err(FieldCryptoError::Malformed);
        }
        let key_id = u32::from_be_bytes([stored[1], stored[2], stored[3], stored[4]]);
        let cipher = self
            .keys
            .get(&key_id)
            .ok_or(FieldCryptoError::UnknownKey(key_id))?;
        let nonce = Nonce::from_slice(&stored[5..HEADER_LEN]);
        let aad = slot.associated_data(key_id);
        cipher
            .decrypt(
                nonce,
                Payload {
                    msg: &stored[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map(|plain| SecretBox::new(Box::new(plain)))
            .map_err(|_| FieldCryptoError::Undecryptable)
    }

    /// Whether a stored value should be re-encrypted with the active key.
    pub fn needs_rotation(&self, stored: &[u8]) -> bool {
        stored.len() >= 5
            && u32::from_be_bytes([stored[1], stored[2], stored[3], stored[4]]) != self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use secrecy::ExposeSecret;

    fn key(byte: u8) -> SecretBox<[u8; 32]> {
        SecretBox::new(Box::new([byte; 32]))
    }

    fn ring() -> KeyRing {
        KeyRing::new(1, vec![(1, key(7))]).unwrap()
    }

    const SLOT: FieldSlot<'static> = FieldSlot {
        table: "bank_accounts",
        column: "iban",
        row: "42",
    };

    #[test]
    fn round_trip() {
        let ring = ring();
        let stored = ring.encrypt(SLOT, b"XK051212012345678906").unwrap();
        assert_eq!(
            ring.decrypt(SLOT, &stored).unwrap().expose_secret(),
            b"XK051212012345678906"
        );
    }

    #[test]
    fn the_plaintext_is_not_in_the_stored_bytes_and_nonces_differ() {
        let ring = ring();
        let a = ring.encrypt(SLOT, b"XK051212012345678906").unwrap();
        let b = ring.encrypt(SLOT, b"XK051212012345678906").unwrap();
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.windows(20).any(|w| w == b"XK051212012345678906"));
    }

    #[test]
    fn a_value_copied_to_another_row_column_or_table_fails() {
        let ring = ring();
        let stored = ring.encrypt(SLOT, b"secret").unwrap();
        for other in [
            FieldSlot { row: "43", ..SLOT },
            FieldSlot {
                column: "bic",
                ..SLOT
            },
            FieldSlot {
                table: "merchants",
                ..SLOT
            },
        ] {
            assert_eq!(
                ring.decrypt(other, &stored).unwrap_err(),
                FieldCryptoError::Undecryptable
            );
        }
    }

    #[test]
    fn slot_parts_cannot_be_shifted_between_each_other() {
        let ring = ring();
        let a = FieldSlot {
            table: "ab",
            column: "c",
            row: "1",
        };
        let b = FieldSlot {
            table: "a",
            column: "bc",
            row: "1",
        };
        let stored = ring.encrypt(a, b"x").unwrap();
        assert!(ring.decrypt(b, &stored).is_err());
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_uses_the_new_key() {
        let old = ring();
        let stored_old = old.encrypt(SLOT, b"old").unwrap();
        let rotated = KeyRing::new(2, vec![(2, key(9)), (1, key(7))]).unwrap();
        assert_eq!(
            rotated.decrypt(SLOT, &stored_old).unwrap().expose_secret(),
            b"old"
        );
        assert!(rotated.needs_rotation(&stored_old));
        let stored_new = rotated.encrypt(SLOT, b"new").unwrap();
        assert!(!rotated.needs_rotation(&stored_new));
        assert_eq!(
            old.decrypt(SLOT, &stored_new).unwrap_err(),
            FieldCryptoError::UnknownKey(2)
        );
    }

    #[test]
    fn a_key_id_swapped_in_the_header_fails() {
        // Both keys equal: only the key id in the associated data tells them apart.
        let ring = KeyRing::new(1, vec![(1, key(7)), (2, key(7))]).unwrap();
        let mut stored = ring.encrypt(SLOT, b"secret").unwrap();
        stored[4] = 2;
        assert_eq!(
            ring.decrypt(SLOT, &stored).unwrap_err(),
            FieldCryptoError::Undecryptable
        );
    }

    #[test]
    fn wrong_key_and_malformed_input_are_errors() {
        let stored = ring().encrypt(SLOT, b"secret").unwrap();
        let other = KeyRing::new(1, vec![(1, key(8))]).unwrap();
        assert_eq!(
            other.decrypt(SLOT, &stored).unwrap_err(),
            FieldCryptoError::Undecryptable
        );
        assert_eq!(
            ring().decrypt(SLOT, &stored[..10]).unwrap_err(),
            FieldCryptoError::Malformed
        );
        assert_eq!(
            ring().decrypt(SLOT, &[]).unwrap_err(),
            FieldCryptoError::Malformed
        );
    }

    #[test]
    fn the_ring_refuses_duplicates_and_a_missing_active_key() {
        assert!(KeyRing::new(1, vec![(1, key(1)), (1, key(2))]).is_err());
        assert!(KeyRing::new(3, vec![(1, key(1))]).is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let debug = format!("{:?}", KeyRing::new(1, vec![(1, key(0xAB))]).unwrap());
        assert!(
            !debug.contains("171") && !debug.to_lowercase().contains("ab, ab"),
            "{debug}"
        );
    }

    proptest! {
        #[test]
        fn any_flipped_bit_is_detected(plain in proptest::collection::vec(any::<u8>(), 0..64), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let ring = ring();
            let mut stored = ring.encrypt(SLOT, &plain).unwrap();
            let i = pos.index(stored.len());
            stored[i] ^= 1 << bit;
            prop_assert!(ring.decrypt(SLOT, &stored).is_err());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = ring().decrypt(SLOT, &bytes);
        }
    }
}
