//! Secret byte strings: zeroized on drop, never `Clone`, `Debug` that shows only the length.

use alloc::vec::Vec;
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Plaintext key material: what the client wraps and what the service unwraps.
///
/// The bytes are wiped when the value is dropped. There is deliberately no `Clone`, no
/// `PartialEq` (compare with [`KeyMaterial::ct_eq`]) and no `Debug` output of the content.
pub struct KeyMaterial(Zeroizing<Vec<u8>>);

impl KeyMaterial {
    /// Takes ownership of `bytes`; they are wiped when the `KeyMaterial` is dropped.
    pub fn new(bytes: Vec<u8>) -> Self {
        KeyMaterial(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new zeroizing buffer.
    pub fn from_slice(bytes: &[u8]) -> Self {
        KeyMaterial(Zeroizing::new(bytes.to_vec()))
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time equality of content (lengths are not secret).
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_slice().ct_eq(other).into()
    }
}

impl From<Zeroizing<Vec<u8>>> for KeyMaterial {
    fn from(bytes: Zeroizing<Vec<u8>>) -> Self {
        KeyMaterial(bytes)
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial([REDACTED; {} bytes])", self.0.len())
    }
}

impl Zeroize for KeyMaterial {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for KeyMaterial {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_shows_only_the_length() {
        let m = KeyMaterial::from_slice(b"\x42\x42\x42secret");
        let text = format!("{m:?}");
        assert_eq!(text, "KeyMaterial([REDACTED; 9 bytes])");
        assert!(!text.contains("secret") && !text.contains("42") && !text.contains("66"));
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        let m = KeyMaterial::from_slice(&[1, 2, 3]);
        assert!(m.ct_eq(&[1, 2, 3]));
        assert!(!m.ct_eq(&[1, 2, 4]));
        assert!(!m.ct_eq(&[1, 2]));
    }
}
