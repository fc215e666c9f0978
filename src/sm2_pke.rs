//! SM2PKE: GB/T 32918.4 public-key encryption with SM3, ciphertext as GM/T 0009 DER.
//! (Being written; see the SM2 helper.)

use alloc::vec::Vec;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::Error;

/// Client side: encrypts `message` to `key`, returns GM/T 0009 DER.
pub(crate) fn encrypt<R: CryptoRng + ?Sized>(
    _key: &sm2::PublicKey,
    _message: &[u8],
    _rng: &mut R,
) -> Result<Vec<u8>, Error> {
    Err(Error::InvalidKey("SM2PKE is not implemented yet"))
}

/// Service side: decrypts GM/T 0009 DER; every failure is [`Error::Unwrap`].
pub(crate) fn decrypt(
    _key: &sm2::SecretKey,
    _ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    Err(Error::Unwrap)
}
