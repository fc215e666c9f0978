//! Using a key, so a client can prove the material is the one it wrapped: Encrypt/Decrypt,
//! GenerateMac/VerifyMac, Sign/Verify, GetPublicKey, DeriveSharedSecret. The key must be
//! `Enabled` (`Key::check_usable`: the key-state table's `DisabledException` /
//! `KMSInvalidStateException`) and have the operation's key usage (`InvalidKeyUsageException`).
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
fn current(server: &Server, key: &Key) -> ApiResult<Zeroizing<Vec<u8>>> {
    let m = key
        .current()
        .ok_or_else(|| ApiError::invalid_state(format!("{} is pending import.", key.arn)))?;
    open(server, key, m)
}

fn usable(
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

const MAC_ALGORITHMS: &[&str] = &[
    "HMAC_SHA_224",
    "HMAC_SHA_256",
    "HMAC_SHA_384",
    "HMAC_SHA_512",
];

fn mac_of(algorithm: &str, key: &[u8], message: &[u8]) -> Vec<u8> {
    fn run<M: hmac::KeyInit + Mac>(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
    match algorithm {
        "HMAC_SHA_224" => run::<hmac::Hmac<sha2::Sha224>>(key, message),
        "HMAC_SHA_256" => run::<hmac::Hmac<sha2::Sha256>>(key, message),
        "HMAC_SHA_384" => run::<hmac::Hmac<sha2::Sha384>>(key, message),
        _ => run::<hmac::Hmac<sha2::Sha512>>(key, message),
    }
}

/// The MAC of the request's message under the key's material (shared by GenerateMac/VerifyMac).
fn mac_request(
    server: &Server,
    input: &Input,
    now: UnixTime,
    op: &str,
) -> ApiResult<(Key, String, Vec<u8>)> {
    let message = Zeroizing::new(input.blob("Message", 1, 4096)?);
    let key_ref = input.key_id()?;
    let algorithm: String = input.enumeration("MacAlgorithm", MAC_ALGORITHMS)?;
    input.grant_tokens()?;
    let key = usable(server, key_ref, now, KeyUsage::GenerateVerifyMac, op)?;
    if !algorithms(key.spec, key.usage)
        .mac
        .contains(&algorithm.as_str())
    {
        return Err(ApiError::key_usage(format!(
            "{} is a {} key and does not support MacAlgorithm {algorithm}",
            key.arn, key.spec
        )));
    }
    input.dry_run()?;
    let mac = mac_of(&algorithm, &current(server, &key)?, &message);
    Ok((key, algorithm, mac))
}

pub fn generate_mac(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let (key, algorithm, mac) = mac_request(server, input, now, "GenerateMac")?;
    Ok(json!({"Mac": b64(&mac), "MacAlgorithm": algorithm, "KeyId": key.arn}))
}

pub fn verify_mac(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let given = input.blob("Mac", 1, 6144)?;
    let (key, algorithm, mac) = mac_request(server, input, now, "VerifyMac")?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        mac.as_slice(),
        given.as_slice(),
    )) {
        return Err(ApiError::new("KMSInvalidMacException", ""));
    }
    Ok(json!({"KeyId": key.arn, "MacValid": true, "MacAlgorithm": algorithm}))
}

const SIGNING_ALGORITHMS: &[&str] = &[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
    "SM2DSA",
    "ML_DSA_SHAKE_256",
    "ED25519_SHA_512",
    "ED25519_PH_SHA_512",
];

/// The parts of a Sign/Verify request: key, algorithm, message, whether it is a digest.
fn sign_request(
    server: &Server,
    input: &Input,
    now: UnixTime,
    op: &str,
) -> ApiResult<(Key, &'static str, Zeroizing<Vec<u8>>, bool)> {
    let key_ref = input.key_id()?;
    let message = Zeroizing::new(input.blob("Message", 1, 4096)?);
    let message_type: Option<String> =
        input.opt_enum("MessageType", &["RAW", "DIGEST", "EXTERNAL_MU"])?;
    let algorithm: String = input.enumeration("SigningAlgorithm", SIGNING_ALGORITHMS)?;
    input.grant_tokens()?;
    let key = usable(server, key_ref, now, KeyUsage::SignVerify, op)?;
    let allowed = algorithms(key.spec, key.usage).signing;
    let Some(algorithm) = allowed.iter().copied().find(|a| *a == algorithm) else {
        return Err(ApiError::key_usage(format!(
            "{} does not support SigningAlgorithm {algorithm}; it supports {}",
            key.arn,
            allowed.join(", ")
        )));
    };
    let is_digest = match message_type.as_deref() {
        None | Some("RAW") => false,
        Some("DIGEST") => true,
        Some(_) => {
            return Err(ApiError::key_usage(
                "MessageType EXTERNAL_MU is only for ML-DSA keys",
            ));
        }
    };
    input.dry_run()?;
    Ok((key, algorithm, message, is_digest))
}

pub fn sign(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let (key, algorithm, message, is_digest) = sign_request(server, input, now, "Sign")?;
    let signature = PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?
        .sign(algorithm, &message, is_digest)?;
    Ok(json!({"KeyId": key.arn, "Signature": b64(&signature), "SigningAlgorithm": algorithm}))
}

pub fn verify(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let signature = input.blob("Signature", 1, 6144)?;
    let (key, algorithm, message, is_digest) = sign_request(server, input, now, "Verify")?;
    let valid = PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?
        .verify(algorithm, &message, is_digest, &signature)?;
    if !valid {
        return Err(ApiError::new("KMSInvalidSignatureException", ""));
    }
    Ok(json!({"KeyId": key.arn, "SignatureValid": true, "SigningAlgorithm": algorithm}))
}

pub fn get_public_key(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    input.grant_tokens()?;
    let key = read_key(server, key_ref, now)?;
    if matches!(
        key.spec,
        KeySpec::SymmetricDefault
            | KeySpec::Hmac224
            | KeySpec::Hmac256
            | KeySpec::Hmac384
            | KeySpec::Hmac512
    ) {
        return Err(ApiError::unsupported(format!(
            "{} is a {} key, which has no public key",
            key.arn, key.spec
        )));
    }
    key.check_usable()?;
    let public = PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?.public_key_der()?;
    let a = algorithms(key.spec, key.usage);
    let mut out = json!({
        "KeyId": key.arn,
        "PublicKey": b64(&public),
        "CustomerMasterKeySpec": key.spec.as_str(),
        "KeySpec": key.spec.as_str(),
        "KeyUsage": key.usage.as_str(),
    });
    for (name, list) in [
        ("EncryptionAlgorithms", a.encryption),
        ("SigningAlgorithms", a.signing),
        ("KeyAgreementAlgorithms", a.key_agreement),
    ] {
        if !list.is_empty() {
            out[name] = json!(list);
        }
    }
    Ok(out)
}

pub fn derive_shared_secret(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let _: String = input.enumeration("KeyAgreementAlgorithm", &["ECDH"])?;
    let peer = input.blob("PublicKey", 1, 8192)?;
    input.grant_tokens()?;
    if input.has("Recipient") {
        return Err(ApiError::unsupported(
            "this local KMS has no Nitro Enclaves (Recipient)",
        ));
    }
    let key = usable(
        server,
        key_ref,
        now,
        KeyUsage::KeyAgreement,
        "DeriveSharedSecret",
    )?;
    input.dry_run()?;
    let secret =
        PrivateKey::from_pkcs8(key.spec, &current(server, &key)?)?.derive_shared_secret(&peer)?;
    Ok(json!({
        "KeyId": key.arn,
        "SharedSecret": b64(&secret),
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": "EXTERNAL",
    }))
}
