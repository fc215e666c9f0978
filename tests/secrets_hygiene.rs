//! Every secret-bearing type is wiped on drop (`ZeroizeOnDrop`), cannot be copied (`Clone` is not
//! implemented: checked at compile time), and its `Debug` shows no secret, in any rendering.

mod common;

use kms_import::{KeyMaterial, WrappingKeySpec, WrappingPrivateKey};
use zeroize::ZeroizeOnDrop;

/// Compiles only if `T: ZeroizeOnDrop`.
fn assert_zeroize_on_drop<T: ZeroizeOnDrop + ?Sized>() {}

/// `assert_not_clone!(T)` compiles only if `T` is NOT `Clone`: with `T: Clone` there are two
/// candidate impls of `AmbiguousIfClone<_>` and the type inference fails (the trick of the
/// `static_assertions` crate's `assert_not_impl_any!`).
macro_rules! assert_not_clone {
    ($ty:ty) => {{
        trait AmbiguousIfClone<A> {
            fn some_item() {}
        }
        impl<T: ?Sized> AmbiguousIfClone<()> for T {}
        #[allow(dead_code)]
        struct IsClone;
        impl<T: ?Sized + Clone> AmbiguousIfClone<IsClone> for T {}
        let _ = <$ty as AmbiguousIfClone<_>>::some_item;
    }};
}

#[test]
fn secret_types_are_zeroized_on_drop() {
    assert_zeroize_on_drop::<WrappingPrivateKey>();
    assert_zeroize_on_drop::<KeyMaterial>();
    assert_zeroize_on_drop::<kms_import::TokenSealingKey>();
    assert_zeroize_on_drop::<kms_import::KeyMaterialIdKey>();
    // The key types inside `WrappingPrivateKey` (the `sm2` and `rsa` crates' own).
    assert_zeroize_on_drop::<sm2::SecretKey>();
}

#[test]
fn secret_types_are_not_clone() {
    assert_not_clone!(WrappingPrivateKey);
    assert_not_clone!(KeyMaterial);
    assert_not_clone!(kms_import::TokenSealingKey);
    assert_not_clone!(kms_import::KeyMaterialIdKey);
    // Holders of the above.
    assert_not_clone!(kms_import::SealingKeys);
    assert_not_clone!(kms_import::ImportService);
    assert_not_clone!(kms_import::OpenedToken);
    assert_not_clone!(kms_import::ImportedKeyMaterial);
    // The macro is not vacuous: this line would not compile.
    // assert_not_clone!(kms_import::WrappingPublicKey);
}

/// Every way a byte string could show up in text: hex both cases (whole and as 8-byte windows),
/// and the decimal list `[1, 2, 3` that a derived `Debug` of a `Vec<u8>` or array writes.
fn renderings(secret: &[u8]) -> Vec<String> {
    let lower = hex::encode(secret);
    let upper = lower.to_uppercase();
    let mut out = vec![lower.clone(), upper.clone()];
    for window in secret.windows(8.min(secret.len())) {
        out.push(hex::encode(window));
        out.push(hex::encode_upper(window));
        let decimal: Vec<String> = window.iter().map(u8::to_string).collect();
        out.push(decimal.join(", "));
        // `{:x?}` / `{:X?}` / `{:#x?}` of a byte slice.
        for render in [
            |b: &u8| format!("{b:x}"),
            |b: &u8| format!("{b:X}"),
            |b: &u8| format!("{b:#x}"),
        ] {
            let list: Vec<String> = window.iter().map(render).collect();
            out.push(list.join(", "));
        }
    }
    out
}

fn assert_no_secret_in(debug: &str, secret: &[u8], what: &str) {
    // Without whitespace too, so that pretty (`{:#?}`) renderings over many lines are caught.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let squeezed = squeeze(debug);
    for needle in renderings(secret) {
        assert!(
            !debug.contains(&needle) && !squeezed.contains(&squeeze(&needle)),
            "Debug of {what} shows secret bytes ({needle}): {debug}"
        );
    }
}

#[test]
fn renderings_would_catch_a_leak() {
    // The checker itself can fail: a derived Debug of the bytes is caught in each form.
    let secret = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5];
    for leaked in [
        format!("{secret:?}"),
        format!("{secret:x?}"),
        format!("{secret:X?}"),
        format!("{secret:#x?}"),
        hex::encode(secret),
        hex::encode_upper(secret),
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_secret_in(&leaked, &secret, "test"));
        assert!(caught.is_err(), "not caught: {leaked}");
    }
}

#[test]
fn key_material_debug_shows_no_secret() {
    // Small secrets (decimal renderings are short) and a long one.
    for secret in [
        vec![7u8; 1],
        vec![1, 2, 3, 4],
        (0..=255u8).collect::<Vec<u8>>(),
    ] {
        let material = KeyMaterial::from_slice(&secret);
        let debug = format!("{material:?} {material:#?}");
        if secret.len() > 1 {
            assert_no_secret_in(&debug, &secret, "KeyMaterial");
        }
        assert!(debug.contains("REDACTED"), "{debug}");
        // Inside a Result, as callers log it.
        let result: Result<KeyMaterial, kms_import::Error> = Ok(material);
        assert_no_secret_in(&format!("{result:?}"), &secret, "Result<KeyMaterial>");
    }
}

#[test]
fn wrapping_private_key_debug_shows_no_secret() {
    let mut rng = common::test_rng(11);
    for spec in [WrappingKeySpec::Sm2, WrappingKeySpec::Rsa2048] {
        let key = WrappingPrivateKey::generate(spec, &mut rng).expect("generate");
        let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
        let debug = format!("{key:?} {key:#?}");
        assert!(debug.contains("REDACTED"), "{debug}");
        // The whole PKCS#8 and every 8-byte window of it: covers the SM2 scalar, RSA d, p, q,
        // dP, dQ, qInv wherever they sit.
        assert_no_secret_in(&debug, &pkcs8, &format!("{spec} WrappingPrivateKey"));
        if spec == WrappingKeySpec::Sm2 {
            // The SM2 scalar on its own, as the `sm2` crate would render it.
            use sm2::pkcs8::DecodePrivateKey;
            let secret = sm2::SecretKey::from_pkcs8_der(&pkcs8).expect("sm2 key");
            let scalar = secret.to_bytes();
            assert_no_secret_in(&debug, &scalar, "SM2 WrappingPrivateKey scalar");
            // And the `sm2` crate's own Debug must not leak either, in case ours ever
            // delegates to it.
            assert_no_secret_in(&format!("{secret:?}"), &scalar, "sm2::SecretKey");
        }
    }
}

#[test]
fn unwrap_errors_carry_no_secret() {
    let mut rng = common::test_rng(12);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Rsa2048, &mut rng).expect("generate");
    let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
    let err = key
        .unwrap_key_material(
            kms_import::WrappingScheme::RsaesOaepSha256,
            &[0x55; 256],
            &mut rng,
        )
        .expect_err("garbage must not unwrap");
    let text = format!("{err:?} {err}");
    assert_no_secret_in(&text, &pkcs8, "Error::InvalidCiphertext");
}

#[test]
fn service_secret_debug_shows_no_secret() {
    use kms_import::{ImportService, KeyMaterialIdKey, SealingKeyId, SealingKeys, TokenSealingKey};
    let secret: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
    let sealing = TokenSealingKey::new(SealingKeyId(5), &secret);
    let debug = format!("{sealing:?} {sealing:#?}");
    assert!(debug.contains("REDACTED"), "{debug}");
    assert_no_secret_in(&debug, &secret, "TokenSealingKey");
    let key_material_id_key = KeyMaterialIdKey::derive(&secret);
    let debug = format!("{key_material_id_key:?} {key_material_id_key:#?}");
    assert!(debug.contains("REDACTED"), "{debug}");
    assert_no_secret_in(&debug, &secret, "KeyMaterialIdKey");
    // The service that holds both.
    let service = ImportService::new(SealingKeys::new(sealing), key_material_id_key);
    let debug = format!("{service:?} {service:#?}");
    assert!(debug.contains("REDACTED"), "{debug}");
    assert_no_secret_in(&debug, &secret, "ImportService");
}

/// The values a KMS handles during an import — the opened token (holding the wrapping private
/// key) and the imported material — print no secret, even with `{:#?}`.
#[test]
fn import_flow_debug_shows_no_secret() {
    use kms_import::{
        ExpirationModel, GetParametersForImportRequest, ImportKeyMaterialRequest, ImportService,
        KeyId, KeyMaterialIdKey, KeyMetadata, KeySpec, KeyUsage, Partition, SealingKeyId,
        SealingKeys, TokenSealingKey, UnixTime, WrappingAlgorithm, WrappingScheme,
    };
    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut rng = common::test_rng(13);
    let now = UnixTime::from_secs(1_800_000_000).expect("time");
    let service = ImportService::new(
        SealingKeys::new(TokenSealingKey::new(SealingKeyId(1), &[7; 32])),
        KeyMaterialIdKey::derive(&[8; 32]),
    );
    let wrapping_key =
        WrappingPrivateKey::generate(WrappingKeySpec::Rsa2048, &mut rng).expect("key");
    let wrapping_pkcs8 = wrapping_key.to_pkcs8_der().expect("PKCS#8");
    let wrapping_public = wrapping_key.public_key();
    let metadata = KeyMetadata::with_key_id(
        KEY_ID.parse::<KeyId>().expect("key id"),
        Partition::Aws,
        KeySpec::Hmac256,
        KeyUsage::GenerateVerifyMac,
    );
    let parameters = service
        .get_parameters_for_import_with_wrapping_key(
            &GetParametersForImportRequest {
                key_id: KEY_ID,
                wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
                wrapping_key_spec: WrappingKeySpec::Rsa2048,
            },
            &metadata,
            wrapping_key,
            now,
            &mut rng,
        )
        .expect("parameters");
    let opened = service
        .open_import_token(&parameters.import_token, KEY_ID, &metadata, now)
        .expect("opens");
    assert_no_secret_in(
        &format!("{opened:?} {opened:#?}"),
        &wrapping_pkcs8,
        "OpenedToken",
    );

    let material: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(71) ^ 0x5c).collect();
    let ciphertext = wrapping_public
        .wrap_key_material(WrappingScheme::RsaesOaepSha256, &material, &mut rng)
        .expect("wrap");
    let imported = service.import_key_material(
        &ImportKeyMaterialRequest {
            key_id: KEY_ID,
            import_token: &parameters.import_token,
            encrypted_key_material: &ciphertext,
            expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
            ..Default::default()
        },
        &metadata,
        now,
        &mut rng,
    );
    let debug = format!("{imported:?} {imported:#?}");
    assert!(imported.expect("imports").material.ct_eq(&material));
    assert_no_secret_in(&debug, &material, "ImportedKeyMaterial");
}
