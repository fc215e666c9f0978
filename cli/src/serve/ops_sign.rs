//! Using a key, so a client can prove the material is the one it wrapped (continued from
//! `ops_use`): GenerateMac/VerifyMac, Sign/Verify, GetPublicKey, DeriveSharedSecret. The key must
//! be `Enabled` and have the operation's key usage.

use hmac::Mac;
use kms_import::{KeySpec, UnixTime};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::serve::Server;
use crate::serve::asym::PrivateKey;
use crate::serve::keys::{Key, KeyUsage, algorithms};
use crate::serve::ops_keys::read_key;
use crate::serve::ops_use::{current, usable};
use crate::serve::protocol::{ApiError, ApiResult, Input, b64};

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
