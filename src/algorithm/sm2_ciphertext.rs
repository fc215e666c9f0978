//! The GM/T 0009-2012 SM2 ciphertext, strict DER both ways:
//!
//! ```text
//! SM2Cipher ::= SEQUENCE {
//!     XCoordinate INTEGER,       -- x1 of C1
//!     YCoordinate INTEGER,       -- y1 of C1
//!     HASH        OCTET STRING,  -- C3, 32 bytes (SM3)
//!     CipherText  OCTET STRING   -- C2
//! }
//! ```
//!
//! This is what `openssl pkeyutl -encrypt` writes for an SM2 key and what AWS KMS takes as
//! `EncryptedKeyMaterial` for `SM2PKE`. Only DER is read (X.690 §10): definite lengths in their
//! shortest form, minimal non-negative INTEGERs, primitive OCTET STRINGs, nothing after the
//! SEQUENCE. That x1 and y1 are below p and C1 is on the curve is checked by the caller
//! (`sm2_pke`), which builds the point.

use alloc::vec::Vec;

use crate::limits::MAX_MATERIAL_LEN;

/// Length of an sm2p256v1 field element and of an SM3 digest, in bytes.
pub(crate) const FIELD_LEN: usize = 32;

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_SEQUENCE: u8 = 0x30;

/// The four fields of an SM2 ciphertext, borrowed from the DER they were read from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Sm2Ciphertext<'a> {
    /// x1 of C1 = [k]G, big-endian, left-padded to 32 bytes.
    pub(crate) x1: [u8; FIELD_LEN],
    /// y1 of C1, big-endian, left-padded to 32 bytes.
    pub(crate) y1: [u8; FIELD_LEN],
    /// C3 = SM3(x2 ‖ M ‖ y2).
    pub(crate) c3: &'a [u8; FIELD_LEN],
    /// C2 = M ⊕ t: 1 to [`MAX_MATERIAL_LEN`] bytes.
    pub(crate) c2: &'a [u8],
}

/// Reads a GM/T 0009 ciphertext. `None` for anything that is not exactly the DER of one
/// `SM2Cipher` with a 32-byte C3 and a C2 of 1 to [`MAX_MATERIAL_LEN`] bytes.
pub(crate) fn decode(der: &[u8]) -> Option<Sm2Ciphertext<'_>> {
    let (body, rest) = read_tlv(der, TAG_SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (x1, body) = read_tlv(body, TAG_INTEGER)?;
    let (y1, body) = read_tlv(body, TAG_INTEGER)?;
    let (c3, body) = read_tlv(body, TAG_OCTET_STRING)?;
    let (c2, body) = read_tlv(body, TAG_OCTET_STRING)?;
    if !body.is_empty() || c2.is_empty() || c2.len() > MAX_MATERIAL_LEN {
        return None;
    }
    Some(Sm2Ciphertext {
        x1: read_coordinate(x1)?,
        y1: read_coordinate(y1)?,
        c3: c3.try_into().ok()?,
        c2,
    })
}

/// Writes a GM/T 0009 ciphertext in DER.
pub(crate) fn encode(
    x1: &[u8; FIELD_LEN],
    y1: &[u8; FIELD_LEN],
    c3: &[u8; FIELD_LEN],
    c2: &[u8],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(3 * (FIELD_LEN + 3) + c2.len() + 5);
    write_unsigned_integer(&mut body, x1);
    write_unsigned_integer(&mut body, y1);
    write_tlv(&mut body, TAG_OCTET_STRING, c3);
    write_tlv(&mut body, TAG_OCTET_STRING, c2);
    let mut der = Vec::with_capacity(body.len() + 5);
    write_tlv(&mut der, TAG_SEQUENCE, &body);
    der
}

/// Splits one TLV with tag `tag` off the front of `input`: (contents, what follows).
fn read_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, input) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, input) = input.split_first()?;
    let (len, input) = match len_byte {
        // X.690 §8.1.3.4: short form.
        0x00..=0x7f => (usize::from(len_byte), input),
        // X.690 §10.1: long form only when needed, with no leading zero octet.
        0x81 => {
            let (&l, input) = input.split_first()?;
            if l < 0x80 {
                return None;
            }
            (usize::from(l), input)
        }
        0x82 => {
            let (l, input) = input.split_at_checked(2)?;
            let len = usize::from(u16::from_be_bytes([l[0], l[1]]));
            if len < 0x100 {
                return None;
            }
            (len, input)
        }
        // 0x80 is the indefinite form (BER only); three or more length octets would describe
        // more than 64 KiB, far beyond any ciphertext this crate reads.
        _ => return None,
    };
    input.split_at_checked(len)
}

/// A DER INTEGER's contents as a non-negative value below 2^256, left-padded to 32 bytes.
fn read_coordinate(contents: &[u8]) -> Option<[u8; FIELD_LEN]> {
    let (&first, tail) = contents.split_first()?;
    if first & 0x80 != 0 {
        return None; // negative
    }
    let magnitude = match tail.first() {
        // X.690 §8.3.2: a leading 0x00 is allowed only in front of a high bit.
        Some(&second) if first == 0 => {
            if second & 0x80 == 0 {
                return None;
            }
            tail
        }
        _ => contents,
    };
    let pad = FIELD_LEN.checked_sub(magnitude.len())?;
    let mut out = [0u8; FIELD_LEN];
    out[pad..].copy_from_slice(magnitude);
    Some(out)
}

fn write_unsigned_integer(out: &mut Vec<u8>, big_endian: &[u8; FIELD_LEN]) {
    let first_nonzero = big_endian
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(FIELD_LEN - 1);
    let magnitude = &big_endian[first_nonzero..];
    if magnitude[0] & 0x80 != 0 {
        let mut contents = Vec::with_capacity(magnitude.len() + 1);
        contents.push(0);
        contents.extend_from_slice(magnitude);
        write_tlv(out, TAG_INTEGER, &contents);
    } else {
        write_tlv(out, TAG_INTEGER, magnitude);
    }
}

fn write_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    let len_bytes = len.to_be_bytes();
    let significant = len_bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(len_bytes.len());
    if len < 0x80 {
        out.push(len_bytes[len_bytes.len() - 1]);
    } else {
        let count = len_bytes.len() - significant;
        out.push(0x80 | count as u8); // count <= size_of::<usize>() <= 16
        out.extend_from_slice(&len_bytes[significant..]);
    }
    out.extend_from_slice(contents);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn sample() -> Vec<u8> {
        let mut x1 = [0x11u8; FIELD_LEN];
        x1[0] = 0x9a; // high bit: needs a 0x00 pad
        let mut y1 = [0x22u8; FIELD_LEN];
        y1[0] = 0;
        y1[1] = 0; // leading zeros: stripped
        encode(&x1, &y1, &[0x33; FIELD_LEN], &[0x44; 19])
    }

    #[test]
    fn round_trip_and_layout() {
        let der = sample();
        assert_eq!(&der[..5], &[0x30, 0x7a, 0x02, 0x21, 0x00]);
        assert_eq!(&der[37..39], &[0x02, 0x1e]);
        let ct = decode(&der).expect("decodes");
        assert_eq!(ct.x1[0], 0x9a);
        assert_eq!(&ct.y1[..3], &[0, 0, 0x22]);
        assert_eq!(ct.c3, &[0x33; FIELD_LEN]);
        assert_eq!(ct.c2, &[0x44; 19]);
        assert_eq!(encode(&ct.x1, &ct.y1, ct.c3, ct.c2), der);
    }

    #[test]
    fn long_lengths_round_trip() {
        for len in [127, 128, 255, 256, MAX_MATERIAL_LEN] {
            let c2 = vec![7u8; len];
            let der = encode(&[1; FIELD_LEN], &[2; FIELD_LEN], &[3; FIELD_LEN], &c2);
            assert_eq!(decode(&der).expect("decodes").c2, &c2[..]);
        }
        let too_long = encode(
            &[1; 32],
            &[2; 32],
            &[3; 32],
            &vec![7u8; MAX_MATERIAL_LEN + 1],
        );
        assert_eq!(decode(&too_long), None);
    }

    #[test]
    fn zero_integer_is_one_octet() {
        let der = encode(&[0; FIELD_LEN], &[0; FIELD_LEN], &[3; FIELD_LEN], &[4]);
        assert_eq!(&der[2..7], &[0x02, 0x01, 0x00, 0x02, 0x01]);
        let ct = decode(&der).expect("decodes");
        assert_eq!(ct.x1, [0; FIELD_LEN]);
    }

    #[test]
    fn refuses_non_der() {
        let good = sample();
        // Trailing byte.
        let mut bad = good.clone();
        bad.push(0);
        assert_eq!(decode(&bad), None);
        // Non-minimal long-form length of the SEQUENCE.
        let mut bad = vec![0x30, 0x81];
        bad.extend_from_slice(&good[1..]);
        assert_eq!(decode(&bad), None);
        // Indefinite length.
        let mut bad = vec![0x30, 0x80];
        bad.extend_from_slice(&good[2..]);
        bad.extend_from_slice(&[0, 0]);
        assert_eq!(decode(&bad), None);
        // Negative x1: drop the 0x00 pad.
        let mut bad = good.clone();
        bad.remove(4);
        bad[3] = 0x20;
        bad[1] -= 1;
        assert_eq!(decode(&bad), None);
        // Non-minimal y1: an extra 0x00 in front of a byte without the high bit.
        let mut bad = good.clone();
        bad.insert(39, 0);
        bad[38] += 1;
        bad[1] += 1;
        assert_eq!(decode(&bad), None);
        // Constructed OCTET STRING for C3.
        let mut bad = good.clone();
        bad[69] = 0x24;
        assert_eq!(&good[69..71], &[0x04, 0x20]);
        assert_eq!(decode(&bad), None);
        // Empty input, lone tag, truncations.
        for cut in 0..good.len() {
            assert_eq!(decode(&good[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn refuses_wrong_field_sizes() {
        for c3_len in [0, 31, 33] {
            let mut body = Vec::new();
            write_unsigned_integer(&mut body, &[1; 32]);
            write_unsigned_integer(&mut body, &[2; 32]);
            write_tlv(&mut body, TAG_OCTET_STRING, &vec![3; c3_len]);
            write_tlv(&mut body, TAG_OCTET_STRING, &[4; 5]);
            let mut der = Vec::new();
            write_tlv(&mut der, TAG_SEQUENCE, &body);
            assert_eq!(decode(&der), None, "C3 of {c3_len} bytes");
        }
        let empty_c2 = encode(&[1; 32], &[2; 32], &[3; 32], &[]);
        assert_eq!(decode(&empty_c2), None);
        // A 33-byte magnitude (x1 >= 2^256).
        let mut body = Vec::new();
        write_tlv(&mut body, TAG_INTEGER, &[0x01; 33]);
        write_unsigned_integer(&mut body, &[2; 32]);
        write_tlv(&mut body, TAG_OCTET_STRING, &[3; 32]);
        write_tlv(&mut body, TAG_OCTET_STRING, &[4; 5]);
        let mut der = Vec::new();
        write_tlv(&mut der, TAG_SEQUENCE, &body);
        assert_eq!(decode(&der), None);
    }
}
