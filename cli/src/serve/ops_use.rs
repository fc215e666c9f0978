//! Using a key, so a client can prove the material is the one it wrapped: Encrypt/Decrypt here,
//! MACs, signatures, public keys and key agreement in `ops_sign`. The key must be `Enabled`
//! (`Key::check_usable`: the key-state table's `DisabledException` / `KMSInvalidStateException`)
//! and have the operation's key usage (`InvalidKeyUsageException`).
//!
//! Symmetric ciphertexts are this server's own format (AWS's is not public):
//! `"KIS1" || key id (16 bytes) || key material id (32 bytes) || nonce (12) || AES-256-GCM`, under
//! `HMAC-SHA256(material, label)` (so 16-byte SM4 material of aws-cn works the same way), with
//! the key ARN, the material id and the encryption context as associated data. Every material of
//! the key decrypts what it encrypted, also after a rotation.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hmac::Mac;
use kms_import::{KeyId, KeySpec, UnixTime};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::serve::Server;
use crate::serve::asym::PrivateKey;
use crate::serve::keys::{Key, KeyUsage, Material, algorithms};
use crate::serve::ops_keys::{read_key, resolve};
use crate::serve::protocol::{ApiError, ApiResult, Input, b64};

const MAGIC: &[u8; 4] = b"KIS1";
const HEADER_LEN: usize = 4 + 16 + 32 + 12;
const DATA_KEY_LABEL: &[u8] = b"kms-import serve v1 symmetric data key";

const ENCRYPTION_ALGORITHMS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
];

fn invalid_ciphertext() -> ApiError {
    ApiError::new("InvalidCiphertextException", "")
}

/// The plaintext material of one of the key's materials.
fn open(server: &Server, key: &Key, material: &Material) -> ApiResult<Zeroizing<Vec<u8>>> {
    let sealed = material
        .sealed
        .as_deref()
        .ok_or_else(|| ApiError::invalid_state(format!("{} is pending import.", key.arn)))?;
    server
        .secrets
        .open(&key.arn, &material.id, sealed)
        .map_err(ApiError::internal)
}

/// The current material, opened.
pub(crate) fn current(server: &Server, key: &Key) -> ApiResult<Zeroizing<Vec<u8>>> {
    let m = key
        .current()
        .ok_or_else(|| ApiError::invalid_state(format!("{} is pending import.", key.arn)))?;
    open(server, key, m)
}

pub(crate) fn usable(
    server: &Server,
    key_ref: &str,
    now: UnixTime,
    usage: KeyUsage,
    op: &str,
) -> ApiResult<Key> {
    let key = read_key(server, key_ref, now)?;
    key.check_usable()?;
    key.check_usage(usage, op)?;
    Ok(key)
}

fn aad(arn: &str, material_id: &str, context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [arn, material_id]
        .into_iter()
        .chain(context.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
    {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn data_key(material: &[u8]) -> Aes256Gcm {
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(material)
        .expect("HMAC takes any key length");
    mac.update(DATA_KEY_LABEL);
    let key = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
    Aes256Gcm::new((&*key).into())
}

fn encryption_algorithm(input: &Input, key: &Key) -> ApiResult<&'static str> {
    let given: Option<String> = input.opt_enum("EncryptionAlgorithm", ENCRYPTION_ALGORITHMS)?;
    let allowed = algorithms(key.spec, key.usage).encryption;
    let name = given.as_deref().unwrap_or("SYMMETRIC_DEFAULT");
    allowed.iter().copied().find(|a| *a == name).ok_or_else(|| {
        ApiError::key_usage(format!(
            "{} does not support EncryptionAlgorithm {name}; it supports {}",
            key.arn,
            allowed.join(", ")
        ))
    })
}

pub fn encrypt(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let plaintext = Zeroizing::new(input.blob("Plaintext", 1, 4096)?);
    let context = input.opt_string_map("EncryptionContext")?;
    input.grant_tokens()?;
    let key = usable(server, key_ref, now, KeyUsage::EncryptDecrypt, "Encrypt")?;
    let algorithm = encryption_algorithm(input, &key)?;
    input.dry_run()?;
    let blob = if key.spec == KeySpec::SymmetricDefault {
        let m = key
            .current()
            .ok_or_else(|| ApiError::invalid_state(format!("{} is pending import.", key.arn)))?;
        let material = open(server, &key, m)?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| ApiError::internal(format!("RNG: {e}")))?;
        let key_id: KeyId = key
            .key_id
            .parse()
            .map_err(|_| ApiError::internal("key id"))?;
        let id_bytes = hex::decode(&m.id).map_err(|_| ApiError::internal("material id"))?;
        let sealed = data_key(&material)
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad(&key.arn, &m.id, &context),
                },
            )
            .map_err(|_| ApiError::internal("encryption failed"))?;
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(key_id.as_bytes());
        blob.extend_from_slice(&id_bytes);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        blob
    } else {
        if !context.is_empty() {
            return Err(ApiError::validation(
                "EncryptionContext is not supported with asymmetric KMS keys",
            ));
        }
        PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?
            .rsa_encrypt(algorithm, &plaintext)?
    };
    Ok(json!({"CiphertextBlob": b64(&blob), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}))
}

/// The key id a symmetric ciphertext names, if it is one of this server's.
fn blob_key_id(blob: &[u8]) -> Option<String> {
    if blob.len() < HEADER_LEN + 16 || &blob[..4] != MAGIC {
        return None;
    }
    let h = hex::encode(&blob[4..20]);
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

pub fn decrypt(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let blob = input.blob("CiphertextBlob", 1, 6144)?;
    let context = input.opt_string_map("EncryptionContext")?;
    let key_ref = input.opt_str("KeyId", 1, 2048)?;
    input.grant_tokens()?;
    if input.has("Recipient") {
        return Err(ApiError::unsupported(
            "this local KMS has no Nitro Enclaves (Recipient)",
        ));
    }
    let named = blob_key_id(&blob);
    let key_ref = match (key_ref, &named) {
        (Some(given), Some(in_blob)) => {
            if resolve(server, given)? != *in_blob {
                return Err(ApiError::new(
                    "IncorrectKeyException",
                    "The key ID in the request does not identify a CMK that can perform this \
                     operation.",
                ));
            }
            given.to_owned()
        }
        (Some(given), None) => given.to_owned(),
        (None, Some(in_blob)) => in_blob.clone(),
        (None, None) => return Err(invalid_ciphertext()),
    };
    let key = usable(server, &key_ref, now, KeyUsage::EncryptDecrypt, "Decrypt")?;
    let algorithm = encryption_algorithm(input, &key)?;
    input.dry_run()?;
    if key.spec != KeySpec::SymmetricDefault {
        let plaintext = PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?
            .rsa_decrypt(algorithm, &blob)
            .map_err(|_| invalid_ciphertext())?;
        return Ok(json!({
            "KeyId": key.arn, "Plaintext": b64(&plaintext), "EncryptionAlgorithm": algorithm,
        }));
    }
    if named.is_none() {
        return Err(invalid_ciphertext());
    }
    let material_id = hex::encode(&blob[20..52]);
    let m = key
        .materials
        .iter()
        .find(|m| m.id == material_id)
        .ok_or_else(invalid_ciphertext)?;
    let material = open(server, &key, m)?;
    let nonce: [u8; 12] = blob[52..64].try_into().map_err(|_| invalid_ciphertext())?;
    let plaintext = data_key(&material)
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &blob[HEADER_LEN..],
                aad: &aad(&key.arn, &m.id, &context),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| invalid_ciphertext())?;
    Ok(json!({
        "KeyId": key.arn,
        "Plaintext": b64(&plaintext),
        "EncryptionAlgorithm": algorithm,
        "KeyMaterialId": m.id,
    }))
}
