//! RSA private keys: generation and strict PKCS#8 import.

use rand_core::CryptoRng;

use crate::error::Error;

/// `rsaEncryption` (RFC 8017 Appendix C).
pub(crate) const RSA_ENCRYPTION_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Generates an RSA key with e = 65537 and a modulus of exactly `bits` bits.
pub(crate) fn generate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    bits: usize,
) -> Result<rsa::PrivateKey, Error> {
    rsa::PrivateKey::new(rng, bits).map_err(|_| Error::Rng)
}

/// Reads a PKCS#8 DER RSA private key. `Ok(None)` when the DER is a PKCS#8 key of another
/// algorithm (or not PKCS#8 at all); `Err` when it is an RSA key that is malformed or inconsistent.
pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Option<rsa::PrivateKey>, Error> {
    use der::Decode;
    let Ok(info) = pkcs8::PrivateKeyInfoRef::from_der(der) else {
        return Ok(None);
    };
    if info.algorithm.oid != RSA_ENCRYPTION_OID {
        return Ok(None);
    }
    let key = rsa::PrivateKey::try_from(info)
        .map_err(|_| Error::InvalidKey("malformed PKCS#8 RSA private key"))?;
    key.validate()
        .map_err(|_| Error::InvalidKey("inconsistent RSA private key"))?;
    Ok(Some(key))
}
