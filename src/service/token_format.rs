//! The byte layout of the import token, version 2 (AES-256-GCM-SIV; version 1 used AES-256-GCM
//! and is no longer opened).
//!
//! ```text
//! header (sent in clear, authenticated as AES-GCM-SIV associated data), 37 bytes:
//!   magic "KMIT" (4) | version 0x02 (1) | sealing key id, u32 big-endian (4)
//!   | salt (16) | nonce (12)
//! sealed body (AES-256-GCM-SIV ciphertext), then the 16-byte tag:
//!   key id        u8 length + ASCII (canonical key ID or key ARN)
//!   key spec      u8 length + AWS name
//!   partition     u8 length + AWS name
//!   algorithm     u8 length + AWS name (WrappingAlgorithm; never RSAES_PKCS1_V1_5)
//!   wrapping spec u8 length + AWS name (WrappingKeySpec)
//!   issued at     u64 big-endian, seconds since the epoch
//!   valid to      u64 big-endian, seconds since the epoch
//!   private key   u16 big-endian length + PKCS#8 DER of the wrapping private key
//! ```
//! Decoding is strict: every length is bounded by what is left, every name must be a known AWS
//! name, and nothing may follow the private key.

use alloc::string::ToString;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::policy::names::{
    KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingScheme,
};
use crate::service::key_id::KeyIdentifier;
use crate::service::unix_time::UnixTime;

/// "KMIT": KMS import token.
pub(crate) const MAGIC: [u8; 4] = *b"KMIT";
/// The only format version opened.
pub(crate) const VERSION: u8 = 2;
/// Bytes of the per-token salt from which the AES-256-GCM key is derived.
pub(crate) const SALT_LEN: usize = 16;
/// Bytes of the AES-GCM-SIV nonce (96 bits, RFC 8452 §4).
pub(crate) const NONCE_LEN: usize = 12;
/// Bytes of the header.
pub(crate) const HEADER_LEN: usize = 4 + 1 + 4 + SALT_LEN + NONCE_LEN;
/// Bytes of the AES-GCM-SIV tag.
pub(crate) const TAG_LEN: usize = 16;

/// The clear header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) sealing_key_id: u32,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) nonce: [u8; NONCE_LEN],
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let fields: [&[u8]; 5] = [
            &MAGIC,
            &[VERSION],
            &self.sealing_key_id.to_be_bytes(),
            &self.salt,
            &self.nonce,
        ];
        let mut at = 0;
        for field in fields {
            if let Some(dst) = out.get_mut(at..at + field.len()) {
                dst.copy_from_slice(field);
            }
            at += field.len();
        }
        out
    }

    /// Reads the header at the start of `token`; `None` for a wrong magic or version.
    pub(crate) fn decode(token: &[u8]) -> Option<Header> {
        let mut r = Reader(token.get(..HEADER_LEN)?);
        if r.take(4)? != MAGIC || r.u8()? != VERSION {
            return None;
        }
        let sealing_key_id = u32::from_be_bytes(r.take(4)?.try_into().ok()?);
        let salt = r.take(SALT_LEN)?.try_into().ok()?;
        let nonce = r.take(NONCE_LEN)?.try_into().ok()?;
        Some(Header {
            sealing_key_id,
            salt,
            nonce,
        })
    }
}

/// What the token seals. The private key stays in a zeroizing buffer.
pub(crate) struct Body {
    pub(crate) key_id: KeyIdentifier,
    pub(crate) key_spec: KeySpec,
    pub(crate) partition: Partition,
    pub(crate) wrapping_algorithm: WrappingScheme,
    pub(crate) wrapping_key_spec: WrappingKeySpec,
    pub(crate) issued_at: UnixTime,
    pub(crate) valid_to: UnixTime,
    pub(crate) private_key_pkcs8: Zeroizing<Vec<u8>>,
}

impl Body {
    /// The plaintext, in a zeroizing buffer allocated once at its final size (no reallocation
    /// leaves copies behind). `None` if a field is too long for its length prefix.
    pub(crate) fn encode(&self) -> Option<Zeroizing<Vec<u8>>> {
        let key_id = self.key_id.to_string();
        let names = [
            key_id.as_str(),
            self.key_spec.as_str(),
            self.partition.as_str(),
            self.wrapping_algorithm.as_str(),
            self.wrapping_key_spec.as_str(),
        ];
        let key_len = u16::try_from(self.private_key_pkcs8.len()).ok()?;
        let len = names.iter().map(|n| 1 + n.len()).sum::<usize>() + 8 + 8 + 2 + key_len as usize;
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        for name in names {
            out.push(u8::try_from(name.len()).ok()?);
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(&self.issued_at.as_secs().to_be_bytes());
        out.extend_from_slice(&self.valid_to.as_secs().to_be_bytes());
        out.extend_from_slice(&key_len.to_be_bytes());
        out.extend_from_slice(&self.private_key_pkcs8);
        Some(out)
    }

    /// Parses a decrypted body; `None` on any deviation from the layout.
    pub(crate) fn decode(plaintext: &[u8]) -> Option<Body> {
        let mut r = Reader(plaintext);
        let key_id_text = r.name()?;
        let key_id: KeyIdentifier = key_id_text.parse().ok()?;
        // Canonical spelling only (the layout above): one token, one encoding.
        if key_id.to_string() != key_id_text {
            return None;
        }
        let key_spec = r.name()?.parse().ok()?;
        let partition = r.name()?.parse().ok()?;
        let wrapping_algorithm =
            WrappingScheme::from_algorithm(r.name()?.parse::<WrappingAlgorithm>().ok()?)?;
        let wrapping_key_spec = r.name()?.parse().ok()?;
        let issued_at = UnixTime::from_secs(r.u64()?)?;
        let valid_to = UnixTime::from_secs(r.u64()?)?;
        let key_len = usize::from(u16::from_be_bytes(r.take(2)?.try_into().ok()?));
        let private_key_pkcs8 = Zeroizing::new(r.take(key_len)?.to_vec());
        if !r.0.is_empty() {
            return None;
        }
        Some(Body {
            key_id,
            key_spec,
            partition,
            wrapping_algorithm,
            wrapping_key_spec,
            issued_at,
            valid_to,
            private_key_pkcs8,
        })
    }
}

/// A bounds-checked cursor.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A `u8`-length-prefixed, non-empty ASCII string.
    fn name(&mut self) -> Option<&'a str> {
        let len = usize::from(self.u8()?);
        let bytes = self.take(len)?;
        if bytes.is_empty() || !bytes.is_ascii() {
            return None;
        }
        core::str::from_utf8(bytes).ok()
    }
}
