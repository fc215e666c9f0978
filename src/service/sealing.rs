//! The secrets an [`crate::ImportService`] is built from: the token sealing keys (one current,
//! any number retired during a rotation) and the key under which `KeyMaterialId`s are derived.

use alloc::vec::Vec;
use core::fmt;

use aes_gcm_siv::{Aes256GcmSiv, KeyInit};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::Error;
use crate::service::kdf::hmac_sha256;

/// Label of the per-token AES-256-GCM-SIV key derivation.
const TOKEN_KEY_LABEL: &[u8] = b"kms-import v2 import token key";

/// Names a token sealing key, so a KMS can rotate them: the id travels in clear in the token
/// header and selects the key to open it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SealingKeyId(pub u32);

impl fmt::Display for SealingKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A 32-byte secret that seals import tokens. Not `Clone`; zeroized on drop; `Debug` shows only
/// the id.
pub struct TokenSealingKey {
    id: SealingKeyId,
    secret: Zeroizing<[u8; 32]>,
}

impl ZeroizeOnDrop for TokenSealingKey {}

impl TokenSealingKey {
    /// A sealing key named `id` with the 32-byte `secret` (copied; wipe your copy).
    pub fn new(id: SealingKeyId, secret: &[u8; 32]) -> Self {
        TokenSealingKey {
            id,
            secret: Zeroizing::new(*secret),
        }
    }

    /// Like [`TokenSealingKey::new`], from a slice.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless `secret` is exactly 32 bytes.
    pub fn from_slice(id: SealingKeyId, secret: &[u8]) -> Result<Self, Error> {
        let secret: &[u8; 32] = secret
            .try_into()
            .map_err(|_| Error::InvalidKey("a token sealing key must be exactly 32 bytes"))?;
        Ok(Self::new(id, secret))
    }

    /// The key's id.
    pub fn id(&self) -> SealingKeyId {
        self.id
    }

    /// The token's own AES-256-GCM-SIV key: HMAC-SHA256(secret, label ‖ 0x00 ‖ header), so each
    /// salt gives a key of its own.
    pub(crate) fn cipher(&self, header: &[u8]) -> Aes256GcmSiv {
        let key = hmac_sha256(&self.secret, TOKEN_KEY_LABEL, &[header]);
        Aes256GcmSiv::new((&*key).into())
    }
}

impl fmt::Debug for TokenSealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSealingKey({}, [REDACTED])", self.id)
    }
}

/// The token sealing keys of a service: the current one seals new tokens; the current and every
/// retired one open tokens, each selected by the id in the token's header. Ids are unique.
#[derive(Debug)]
pub struct SealingKeys {
    current: TokenSealingKey,
    retired: Vec<TokenSealingKey>,
}

impl SealingKeys {
    /// One key, sealing and opening.
    pub fn new(current: TokenSealingKey) -> Self {
        SealingKeys {
            current,
            retired: Vec::new(),
        }
    }

    /// The current key and keys retired by a rotation, whose tokens (valid for 24 hours) must
    /// still open.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when two keys share an id: the tokens of one of them could never be
    /// opened.
    pub fn with_retired(
        current: TokenSealingKey,
        retired: Vec<TokenSealingKey>,
    ) -> Result<Self, Error> {
        let ids = || core::iter::once(current.id).chain(retired.iter().map(|k| k.id));
        for (i, id) in ids().enumerate() {
            if ids().skip(i + 1).any(|other| other == id) {
                return Err(Error::InvalidKey(
                    "two token sealing keys share one id; give every sealing key its own id",
                ));
            }
        }
        Ok(SealingKeys { current, retired })
    }

    /// The key new tokens are sealed with.
    pub fn current(&self) -> &TokenSealingKey {
        &self.current
    }

    /// The key named `id`, if this service has it.
    pub(crate) fn find(&self, id: SealingKeyId) -> Option<&TokenSealingKey> {
        core::iter::once(&self.current)
            .chain(&self.retired)
            .find(|k| k.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn a_set_with_two_keys_of_one_id_is_refused() {
        let key = |id, byte| TokenSealingKey::new(SealingKeyId(id), &[byte; 32]);
        assert!(SealingKeys::with_retired(key(1, 1), vec![key(2, 2), key(3, 3)]).is_ok());
        for retired in [
            vec![key(1, 2)],
            vec![key(2, 2), key(2, 3)],
            vec![key(3, 3), key(1, 1)],
        ] {
            assert!(matches!(
                SealingKeys::with_retired(key(1, 1), retired),
                Err(Error::InvalidKey(_))
            ));
        }
        let set = SealingKeys::with_retired(key(4, 4), vec![key(5, 5)]).unwrap();
        assert_eq!(
            set.find(SealingKeyId(5)).map(|k| k.id()),
            Some(SealingKeyId(5))
        );
        assert_eq!(set.current().id(), SealingKeyId(4));
        assert!(set.find(SealingKeyId(6)).is_none());
    }
}
