//! Keyed fingerprints of imported key material, for the reimport rule.
//!
//! AWS KMS API reference, `ImportKeyMaterial`: "After you successfully import key material into a
//! KMS key, you can reimport the same key material into that KMS key, but you cannot import
//! different key material." To enforce this without keeping the material, the KMS stores a
//! [`MaterialFingerprint`]: HMAC-SHA256 under a [`FingerprintKey`] of the key ID and the material.
//! Being keyed, it reveals nothing about the material to whoever reads the KMS's database (an
//! unkeyed hash of a 16-byte SM4 key or a short HMAC key would invite brute force), and binding the
//! key ID means the same material in two keys gets unrelated fingerprints.
//!
//! Fingerprints are compared in constant time (`subtle`).

use core::fmt;
use core::str::FromStr;

use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::service::kdf::hmac_sha256;
use crate::service::key_id::KeyId;

/// Label deriving the fingerprint key from the caller's secret.
const FINGERPRINT_KEY_LABEL: &[u8] = b"kms-import v1 material fingerprint key";
/// Label of the fingerprint itself.
const FINGERPRINT_LABEL: &[u8] = b"kms-import v1 material fingerprint";

/// The secret under which fingerprints are computed. Not `Clone`; zeroized on drop.
///
/// It must stay the same for the life of every key whose fingerprint is stored (unlike token
/// sealing keys, it cannot be rotated without re-fingerprinting).
pub struct FingerprintKey(Zeroizing<[u8; 32]>);

impl ZeroizeOnDrop for FingerprintKey {}

impl FingerprintKey {
    /// Derives the fingerprint key from a 32-byte secret, with a label of its own: the same
    /// secret may also serve as a token sealing key (the derivations are domain-separated).
    pub fn derive(secret: &[u8; 32]) -> Self {
        FingerprintKey(hmac_sha256(secret, FINGERPRINT_KEY_LABEL, &[]))
    }

    /// The fingerprint of `material` imported into the key `key_id`.
    pub fn fingerprint(&self, key_id: &KeyId, material: &[u8]) -> MaterialFingerprint {
        let kind = [u8::from(key_id.is_multi_region())];
        let len = u64::try_from(material.len())
            .unwrap_or(u64::MAX)
            .to_be_bytes();
        let mac = hmac_sha256(
            &self.0,
            FINGERPRINT_LABEL,
            &[&kind, key_id.as_bytes(), &len, material],
        );
        MaterialFingerprint(*mac)
    }
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey([REDACTED])")
    }
}

/// A keyed fingerprint of imported key material: 32 bytes, hex in `Display` / `FromStr`.
///
/// Equality is constant-time.
#[derive(Clone, Copy)]
pub struct MaterialFingerprint([u8; 32]);

/// A string that is not 64 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidFingerprint;

impl fmt::Display for InvalidFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key material fingerprint is 64 hex digits (32 bytes)")
    }
}

impl core::error::Error for InvalidFingerprint {}

impl MaterialFingerprint {
    /// The fingerprint from its 32 bytes (as stored by the KMS).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        MaterialFingerprint(bytes)
    }

    /// The 32 bytes to store.
    pub const fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &MaterialFingerprint) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl PartialEq for MaterialFingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for MaterialFingerprint {}

impl fmt::Display for MaterialFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for MaterialFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaterialFingerprint({self})")
    }
}

impl FromStr for MaterialFingerprint {
    type Err = InvalidFingerprint;
    /// 64 hex digits, either case.
    fn from_str(s: &str) -> Result<Self, InvalidFingerprint> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return Err(InvalidFingerprint);
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
            let digit = |b: u8| char::from(b).to_digit(16).ok_or(InvalidFingerprint);
            let (hi, lo) = match pair {
                [hi, lo] => (digit(*hi)?, digit(*lo)?),
                _ => return Err(InvalidFingerprint),
            };
            *byte = u8::try_from(hi * 16 + lo).map_err(|_| InvalidFingerprint)?;
        }
        Ok(MaterialFingerprint(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn fingerprints_are_keyed_bound_to_the_key_and_round_trip_as_hex() {
        let id: KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab".parse().unwrap();
        let other: KeyId = "1234abcd-12ab-34cd-56ef-1234567890ac".parse().unwrap();
        let k1 = FingerprintKey::derive(&[1; 32]);
        let k2 = FingerprintKey::derive(&[2; 32]);
        let f = k1.fingerprint(&id, b"material");
        assert_eq!(f, k1.fingerprint(&id, b"material"));
        assert_ne!(f, k1.fingerprint(&id, b"materiaL"));
        assert_ne!(f, k1.fingerprint(&other, b"material"));
        assert_ne!(f, k2.fingerprint(&id, b"material"));
        let hex = f.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex.parse::<MaterialFingerprint>(), Ok(f));
        assert_eq!(hex.to_uppercase().parse::<MaterialFingerprint>(), Ok(f));
        for bad in [
            "",
            &hex[..63],
            "g".repeat(64).as_str(),
            "+1".repeat(32).as_str(),
        ] {
            assert_eq!(bad.parse::<MaterialFingerprint>(), Err(InvalidFingerprint));
        }
    }
}
