//! `KeyMaterialId`: the identifier AWS KMS gives imported key material.
//!
//! API reference, `ImportKeyMaterial`, `KeyMaterialId`: "Whenever you import key material into a
//! symmetric encryption key, KMS assigns a unique identifier to the key material based on the KMS
//! key ID and the imported key material"; 64 lower-case hex characters (`BackingKeyIdType`: length
//! 64, pattern `^[a-f0-9]+$`). AWS's announcement of on-demand rotation for imported keys adds:
//! "Even if you import the same key material in different keys, AWS KMS will assign distinct key
//! material identifiers. This computation uses a cryptographic hash so the key material
//! identifier doesn't reveal information about the key material itself."
//!
//! Here the id is HMAC-SHA256, under the service's secret [`KeyMaterialIdKey`], of the key's
//! identity and the material's canonical form:
//! - the key's identity is its partition, account and key ID — the region is left out so that
//!   the replicas of a multi-Region key (one key ID, one account, several regions) compute the
//!   same id for the same material, as `EXISTING_KEY_MATERIAL` imports into replicas require;
//! - the canonical form identifies the key, not its encoding (see
//!   [`crate::material::validate`]): the raw bytes of symmetric and HMAC material; curve and
//!   private scalar of an EC key (so the same key with or without its optional public key, with
//!   inner parameters or a compressed point, has one id); modulus, public exponent and the
//!   primes in increasing order of an RSA key (p and q swapped, or another valid d, change
//!   nothing).
//!
//! Being keyed, the id reveals nothing about the material to whoever reads the KMS's database (an
//! unkeyed hash of a 16-byte SM4 key invites brute force). Ids are compared in constant time.

use core::fmt;
use core::str::FromStr;

use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::service::kdf::hmac_sha256;
use crate::service::key_id::KeyIdentifier;

/// Label deriving the id key from a master secret.
const ID_KEY_LABEL: &[u8] = b"kms-import v2 key material id key";
/// Label of the id itself.
const ID_LABEL: &[u8] = b"kms-import v2 key material id";

/// The secret under which `KeyMaterialId`s are derived. Not `Clone`; zeroized on drop.
///
/// It must stay the same for the life of every key whose ids are stored (unlike token sealing
/// keys, it cannot be rotated without re-deriving every id, which needs the material).
pub struct KeyMaterialIdKey(Zeroizing<[u8; 32]>);

impl ZeroizeOnDrop for KeyMaterialIdKey {}

impl KeyMaterialIdKey {
    /// Derives the id key from a 32-byte secret, with a label of its own: the same secret may
    /// also serve as a token sealing key (the derivations are domain-separated).
    pub fn derive(secret: &[u8; 32]) -> Self {
        KeyMaterialIdKey(hmac_sha256(secret, ID_KEY_LABEL, &[]))
    }

    /// The id of material whose canonical form is `canonical`, imported into the key `key`.
    pub(crate) fn id(&self, key: &KeyIdentifier, canonical: &[u8]) -> KeyMaterialId {
        let key_id = key.key_id();
        let (partition, account) = match key.arn() {
            Some(arn) => (arn.partition().as_str(), arn.account()),
            None => ("", ""),
        };
        let field = |s: &str| [u8::try_from(s.len()).unwrap_or(u8::MAX)];
        let kind = [u8::from(key_id.is_multi_region())];
        let mac = hmac_sha256(
            &self.0,
            ID_LABEL,
            &[
                &field(partition),
                partition.as_bytes(),
                &field(account),
                account.as_bytes(),
                &kind,
                key_id.as_bytes(),
                canonical,
            ],
        );
        KeyMaterialId(*mac)
    }
}

impl fmt::Debug for KeyMaterialIdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterialIdKey([REDACTED])")
    }
}

/// A `KeyMaterialId`: 32 bytes, written as 64 lower-case hex characters. Equality is
/// constant-time.
#[derive(Clone, Copy)]
pub struct KeyMaterialId([u8; 32]);

/// A string that is not a `KeyMaterialId` (64 lower-case hex characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidKeyMaterialId;

impl fmt::Display for InvalidKeyMaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a KeyMaterialId is 64 lower-case hex characters (0-9, a-f), as ImportKeyMaterial \
             and ListKeyRotations return it",
        )
    }
}

impl core::error::Error for InvalidKeyMaterialId {}

impl KeyMaterialId {
    /// The id from its 32 bytes (as stored by the KMS).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        KeyMaterialId(bytes)
    }

    /// The 32 bytes to store.
    pub const fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &KeyMaterialId) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl PartialEq for KeyMaterialId {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for KeyMaterialId {}

impl core::hash::Hash for KeyMaterialId {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Display for KeyMaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyMaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterialId({self})")
    }
}

impl FromStr for KeyMaterialId {
    type Err = InvalidKeyMaterialId;
    /// Exactly 64 lower-case hex characters (the API model's pattern `^[a-f0-9]+$`).
    fn from_str(s: &str) -> Result<Self, InvalidKeyMaterialId> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return Err(InvalidKeyMaterialId);
        }
        let digit = |b: u8| match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            _ => Err(InvalidKeyMaterialId),
        };
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
            if let [hi, lo] = pair {
                *byte = (digit(*hi)? << 4) | digit(*lo)?;
            }
        }
        Ok(KeyMaterialId(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn key(s: &str) -> KeyIdentifier {
        s.parse().unwrap()
    }

    #[test]
    fn ids_are_keyed_bound_to_the_key_and_round_trip_as_hex() {
        let id = key("1234abcd-12ab-34cd-56ef-1234567890ab");
        let other = key("1234abcd-12ab-34cd-56ef-1234567890ac");
        let arn_a =
            key("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        let arn_b =
            key("arn:aws:kms:us-east-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        let mrk_1 =
            key("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        let mrk_2 =
            key("arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
        let k1 = KeyMaterialIdKey::derive(&[1; 32]);
        let k2 = KeyMaterialIdKey::derive(&[2; 32]);
        let f = k1.id(&id, b"material");
        assert_eq!(f, k1.id(&id, b"material"));
        assert_ne!(f, k1.id(&id, b"materiaL"));
        assert_ne!(f, k1.id(&other, b"material"));
        assert_ne!(f, k2.id(&id, b"material"));
        assert_ne!(k1.id(&arn_a, b"m"), k1.id(&arn_b, b"m"), "accounts");
        assert_eq!(
            k1.id(&mrk_1, b"m"),
            k1.id(&mrk_2, b"m"),
            "replicas share ids"
        );
        let hex = f.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex.parse::<KeyMaterialId>(), Ok(f));
        for bad in [
            "",
            &hex[..63],
            hex.to_uppercase().as_str(),
            "g".repeat(64).as_str(),
            "+1".repeat(32).as_str(),
        ] {
            assert_eq!(bad.parse::<KeyMaterialId>(), Err(InvalidKeyMaterialId));
        }
    }
}
