//! The service API as AWS KMS has it today: `ImportService`, `KeyMaterialId`, `ImportType`,
//! several materials per symmetric key, `DeleteImportedKeyMaterial`, tokens bound to the key ARN —
//! and the hardening rules: canonical material identity, weak RSA material refused, exact
//! `ValidTo`. Each test is one rule; the rule's source is cited in the crate's rustdoc.

mod key_der;

use std::sync::OnceLock;

use kms_import::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const ARN_A: &str = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ARN_B: &str = "arn:aws:kms:us-east-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY: &str =
    "arn:aws:kms:us-east-2:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn now() -> UnixTime {
    UnixTime::from_secs(1_800_000_000).unwrap()
}

fn service() -> ImportService {
    ImportService::new(
        SealingKeys::new(TokenSealingKey::new(SealingKeyId(3), &[0x33; 32])),
        KeyMaterialIdKey::derive(&[0x44; 32]),
    )
}

/// One RSA_2048 wrapping key generated once; each token gets a copy (tokens take keys by value).
fn wrapping_key(spec: WrappingKeySpec) -> WrappingPrivateKey {
    static RSA: OnceLock<Vec<u8>> = OnceLock::new();
    static SM2: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = if spec == WrappingKeySpec::Sm2 {
        &SM2
    } else {
        &RSA
    };
    let der = cell.get_or_init(|| {
        WrappingPrivateKey::generate(spec, &mut rng(1))
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .to_vec()
    });
    WrappingPrivateKey::from_pkcs8_der(der).unwrap()
}

fn metadata(arn: &str, key_spec: KeySpec) -> KeyMetadata {
    KeyMetadata::new(
        arn.parse().unwrap(),
        key_spec,
        key_spec.rule().key_usages[0],
    )
}

/// GetParametersForImport for `key`, then `material` wrapped under the returned public key.
fn wrapped(
    service: &ImportService,
    key: &KeyMetadata,
    algorithm: WrappingScheme,
    material: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let spec = if algorithm == WrappingScheme::Sm2Pke {
        WrappingKeySpec::Sm2
    } else {
        WrappingKeySpec::Rsa2048
    };
    let key_id = key.key.to_string();
    let request = GetParametersForImportRequest {
        key_id: &key_id,
        wrapping_algorithm: algorithm.algorithm(),
        wrapping_key_spec: spec,
    };
    let params = service
        .get_parameters_for_import_with_wrapping_key(
            &request,
            key,
            wrapping_key(spec),
            now(),
            &mut rng(2),
        )
        .unwrap();
    let public = WrappingPublicKey::from_der(&params.public_key).unwrap();
    let ciphertext = public
        .wrap_key_material(algorithm, material, &mut rng(3))
        .unwrap();
    (params.import_token, ciphertext)
}

/// Tests leak the token and ciphertext so that `extra` can set borrowed fields of any lifetime.
fn import<'a>(
    service: &ImportService,
    key: &KeyMetadata,
    algorithm: WrappingScheme,
    material: &[u8],
    extra: impl FnOnce(&mut ImportKeyMaterialRequest<'a>),
) -> Result<ImportedKeyMaterial, KmsError> {
    let (token, ciphertext) = wrapped(service, key, algorithm, material);
    let token: &'static [u8] = Box::leak(token.into_boxed_slice());
    let ciphertext: &'static [u8] = Box::leak(ciphertext.into_boxed_slice());
    let key_id: &'static str = Box::leak(key.key.to_string().into_boxed_str());
    let mut request = ImportKeyMaterialRequest {
        key_id,
        import_token: token,
        encrypted_key_material: ciphertext,
        expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
        ..Default::default()
    };
    extra(&mut request);
    service.import_key_material(&request, key, now(), &mut rng(4))
}

/// Records a successful import in the metadata, as a KMS does.
fn store(key: &mut KeyMetadata, imported: &ImportedKeyMaterial) {
    key.key_state = imported.key_state;
    key.key_materials.push(AssociatedKeyMaterial {
        key_material_id: imported.key_material_id,
        state: imported.key_material_state,
        import_state: ImportState::Imported,
    });
}

/// Sets one field of a request.
type SetField = dyn Fn(&mut ImportKeyMaterialRequest<'static>);

const OAEP: WrappingScheme = WrappingScheme::RsaesOaepSha256;
const RSA_AES: WrappingScheme = WrappingScheme::RsaAesKeyWrapSha256;

#[test]
fn responses_name_the_key_by_its_arn_and_ids_are_64_lower_hex() {
    let service = service();
    let key = metadata(ARN_A, KeySpec::SymmetricDefault);
    let imported = import(&service, &key, OAEP, &[1; 32], |_| {}).unwrap();
    assert_eq!(imported.key_id.to_string(), ARN_A);
    let id = imported.key_material_id.to_string();
    assert_eq!(id.len(), 64);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    assert_eq!(
        imported.response().key_material_id,
        imported.key_material_id
    );
    assert_eq!(imported.import_type, ImportType::NewKeyMaterial);
    assert_eq!(imported.key_material_state, KeyMaterialState::Current);
    assert_eq!(imported.key_state, KeyState::Enabled);
}

#[test]
fn the_same_material_into_the_same_key_always_has_the_same_id_and_into_another_key_another() {
    let service = service();
    let a = metadata(ARN_A, KeySpec::Hmac256);
    let first = import(&service, &a, OAEP, &[9; 32], |_| {}).unwrap();
    let second = import(&service, &a, RSA_OAEP_SHA1, &[9; 32], |_| {}).unwrap();
    assert_eq!(first.key_material_id, second.key_material_id);
    let b = metadata(ARN_B, KeySpec::Hmac256);
    let in_b = import(&service, &b, OAEP, &[9; 32], |_| {}).unwrap();
    assert_ne!(
        first.key_material_id, in_b.key_material_id,
        "id reused across accounts"
    );
    let other = metadata(OTHER_KEY, KeySpec::Hmac256);
    let in_other = import(&service, &other, OAEP, &[9; 32], |_| {}).unwrap();
    assert_ne!(
        first.key_material_id, in_other.key_material_id,
        "id reused across keys"
    );
}

const RSA_OAEP_SHA1: WrappingScheme = WrappingScheme::RsaesOaepSha1;

#[test]
fn a_token_opens_only_for_the_whole_arn_it_was_issued_for() {
    let service = service();
    let a = metadata(ARN_A, KeySpec::SymmetricDefault);
    let b = metadata(ARN_B, KeySpec::SymmetricDefault);
    let (token, ciphertext) = wrapped(&service, &a, OAEP, &[5; 32]);
    let request = ImportKeyMaterialRequest {
        key_id: KEY,
        import_token: &token,
        encrypted_key_material: &ciphertext,
        expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
        ..Default::default()
    };
    let err = service
        .import_key_material(&request, &b, now(), &mut rng(6))
        .unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    let text = err.to_string();
    assert!(text.contains("belongs to another KMS key"), "{text}");
    // Nothing sealed in the token is quoted: not the other account, key spec or issue time.
    for sealed in ["111122223333", "SYMMETRIC_DEFAULT", "2027-01-15"] {
        assert!(!text.contains(sealed), "{text}");
    }
    assert!(
        service
            .import_key_material(&request, &a, now(), &mut rng(6))
            .is_ok()
    );
}

#[test]
fn hmac_and_asymmetric_keys_refuse_the_symmetric_only_parameters() {
    let service = service();
    for key_spec in [KeySpec::Hmac256, KeySpec::EccNistP256] {
        let key = metadata(ARN_A, key_spec);
        let material = if key_spec == KeySpec::Hmac256 {
            vec![2; 32]
        } else {
            key_der::p256_parts(1).pkcs8_plain()
        };
        let id: &'static str = Box::leak(
            KeyMaterialId::from_bytes([1; 32])
                .to_string()
                .into_boxed_str(),
        );
        let cases: [(&str, Box<SetField>); 3] = [
            (
                "ImportType",
                Box::new(|r| r.import_type = Some(ImportType::NewKeyMaterial)),
            ),
            (
                "KeyMaterialId",
                Box::new(move |r| r.key_material_id = Some(id)),
            ),
            (
                "KeyMaterialDescription",
                Box::new(|r| r.key_material_description = Some("x")),
            ),
        ];
        for (name, set) in cases {
            let err = import(&service, &key, OAEP, &material, set).unwrap_err();
            assert_eq!(
                err.name(),
                "UnsupportedOperationException",
                "{key_spec} {name}"
            );
            assert!(err.message().contains(name), "{err}");
        }
        // One material for good: different material is refused, the same is re-imported.
        let mut key = key;
        let first = import(&service, &key, OAEP, &material, |_| {}).unwrap();
        store(&mut key, &first);
        let other = if key_spec == KeySpec::Hmac256 {
            vec![3; 32]
        } else {
            key_der::p256_parts(2).pkcs8_plain()
        };
        let err = import(&service, &key, OAEP, &other, |_| {}).unwrap_err();
        assert_eq!(err.name(), "IncorrectKeyMaterialException");
        let again = import(&service, &key, OAEP, &material, |_| {}).unwrap();
        assert_eq!(again.import_type, ImportType::ExistingKeyMaterial);
        assert_eq!(again.key_material_id, first.key_material_id);
    }
}

#[test]
fn symmetric_keys_take_new_material_for_rotation_with_aws_rules() {
    let service = service();
    let mut key = metadata(ARN_A, KeySpec::SymmetricDefault);
    // EXISTING into a key that never had material.
    let err = import(&service, &key, OAEP, &[1; 32], |r| {
        r.import_type = Some(ImportType::ExistingKeyMaterial)
    })
    .unwrap_err();
    assert_eq!(err.name(), "IncorrectKeyMaterialException");
    let first = import(&service, &key, OAEP, &[1; 32], |_| {}).unwrap();
    store(&mut key, &first);
    // Omitted ImportType now means EXISTING: different material is refused.
    let err = import(&service, &key, OAEP, &[2; 32], |_| {}).unwrap_err();
    assert_eq!(err.name(), "IncorrectKeyMaterialException");
    // NEW with a KeyMaterialId is a ValidationException.
    let id = first.key_material_id.to_string();
    let err = import(&service, &key, OAEP, &[2; 32], |r| {
        r.import_type = Some(ImportType::NewKeyMaterial);
        r.key_material_id = Some(&id);
    })
    .unwrap_err();
    assert_eq!(err.name(), "ValidationException");
    // NEW with material already associated.
    let err = import(&service, &key, OAEP, &[1; 32], |r| {
        r.import_type = Some(ImportType::NewKeyMaterial)
    })
    .unwrap_err();
    assert_eq!(err.name(), "IncorrectKeyMaterialException");
    assert!(err.message().contains(&id), "{err}");
    // NEW different material: pending rotation, the key stays Enabled.
    let second = import(&service, &key, OAEP, &[2; 32], |r| {
        r.import_type = Some(ImportType::NewKeyMaterial);
        r.key_material_description = Some("rotation 2027-01");
    })
    .unwrap();
    assert_eq!(second.key_material_state, KeyMaterialState::PendingRotation);
    assert_eq!(second.key_state, KeyState::Enabled);
    assert_eq!(
        second.key_material_description.as_deref(),
        Some("rotation 2027-01")
    );
    assert_ne!(second.key_material_id, first.key_material_id);
    store(&mut key, &second);
    // A further NEW while one is pending rotation (recorded AWS behaviour).
    let err = import(&service, &key, OAEP, &[3; 32], |r| {
        r.import_type = Some(ImportType::NewKeyMaterial)
    })
    .unwrap_err();
    assert_eq!(err.name(), "KMSInvalidStateException");
    // EXISTING naming the other associated material: the id does not match this material.
    let second_id = second.key_material_id.to_string();
    let err = import(&service, &key, OAEP, &[1; 32], |r| {
        r.key_material_id = Some(&second_id)
    })
    .unwrap_err();
    assert_eq!(err.name(), "IncorrectKeyMaterialException");
    // EXISTING naming an id the key does not have; a malformed id.
    let foreign = KeyMaterialId::from_bytes([0xab; 32]).to_string();
    let err = import(&service, &key, OAEP, &[1; 32], |r| {
        r.key_material_id = Some(&foreign)
    })
    .unwrap_err();
    assert_eq!(err.name(), "NotFoundException");
    let upper = id.to_uppercase();
    let err = import(&service, &key, OAEP, &[1; 32], |r| {
        r.key_material_id = Some(&upper)
    })
    .unwrap_err();
    assert_eq!(err.name(), "ValidationException");
    // EXISTING with the right id.
    let again = import(&service, &key, OAEP, &[1; 32], |r| {
        r.key_material_id = Some(&id)
    })
    .unwrap();
    assert_eq!(again.key_material_id, first.key_material_id);
    // Descriptions: at most 256 characters of the API model's pattern.
    let too_long = "x".repeat(257);
    for bad in ["", "semi;colon", too_long.as_str()] {
        let err = import(&service, &key, OAEP, &[1; 32], |r| {
            r.key_material_description = Some(bad)
        })
        .unwrap_err();
        assert_eq!(err.name(), "ValidationException", "{bad:?}");
    }
    let longest = "x".repeat(256);
    assert!(
        import(&service, &key, OAEP, &[1; 32], |r| {
            r.key_material_description = Some(&longest)
        })
        .is_ok()
    );
}

#[test]
fn multi_region_new_material_goes_into_the_primary() {
    let service = service();
    let mrk = "arn:aws:kms:us-east-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    let replica_arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    let mut primary = metadata(mrk, KeySpec::SymmetricDefault);
    primary.multi_region = Some(MultiRegionKeyType::Primary);
    let mut replica = metadata(replica_arn, KeySpec::SymmetricDefault);
    replica.multi_region = Some(MultiRegionKeyType::Replica);
    let key_id = "mrk-1234abcd12ab34cd56ef1234567890ab";
    let run = |service: &ImportService, key: &KeyMetadata, material: &[u8], ty| {
        let request = GetParametersForImportRequest {
            key_id,
            wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
            wrapping_key_spec: WrappingKeySpec::Rsa2048,
        };
        let params = service
            .get_parameters_for_import_with_wrapping_key(
                &request,
                key,
                wrapping_key(WrappingKeySpec::Rsa2048),
                now(),
                &mut rng(8),
            )
            .unwrap();
        let ct = WrappingPublicKey::from_der(&params.public_key)
            .unwrap()
            .wrap_key_material(OAEP, material, &mut rng(9))
            .unwrap();
        let request = ImportKeyMaterialRequest {
            key_id,
            import_token: &params.import_token,
            encrypted_key_material: &ct,
            expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
            import_type: ty,
            ..Default::default()
        };
        service.import_key_material(&request, key, now(), &mut rng(10))
    };
    let first = run(&service, &primary, &[1; 32], None).unwrap();
    store(&mut primary, &first);
    let in_replica = run(&service, &replica, &[1; 32], None).unwrap();
    assert_eq!(
        in_replica.key_material_id, first.key_material_id,
        "replicas share ids"
    );
    store(&mut replica, &in_replica);
    let new = run(
        &service,
        &primary,
        &[2; 32],
        Some(ImportType::NewKeyMaterial),
    )
    .unwrap();
    assert_eq!(
        new.key_material_state,
        KeyMaterialState::PendingMultiRegionImportAndRotation
    );
    let err = run(
        &service,
        &replica,
        &[2; 32],
        Some(ImportType::NewKeyMaterial),
    )
    .unwrap_err();
    assert_eq!(err.name(), "UnsupportedOperationException");
}

#[test]
fn delete_imported_key_material_follows_aws_rules() {
    let service = service();
    let mut key = metadata(ARN_A, KeySpec::SymmetricDefault);
    let delete = |key: &KeyMetadata, id: Option<&str>| {
        service.delete_imported_key_material(
            &DeleteImportedKeyMaterialRequest {
                key_id: KEY,
                key_material_id: id,
            },
            key,
        )
    };
    assert_eq!(
        delete(&key, None).unwrap_err().name(),
        "KMSInvalidStateException"
    );
    let first = import(&service, &key, OAEP, &[1; 32], |_| {}).unwrap();
    store(&mut key, &first);
    let second = import(&service, &key, OAEP, &[2; 32], |r| {
        r.import_type = Some(ImportType::NewKeyMaterial)
    })
    .unwrap();
    store(&mut key, &second);
    // Without an id: the current material; the key goes to PendingImport.
    let deleted = delete(&key, None).unwrap();
    assert_eq!(deleted.key_material_id, first.key_material_id);
    assert!(!deleted.disassociated);
    assert_eq!(deleted.key_state, KeyState::PendingImport);
    assert_eq!(deleted.response().key_id.to_string(), ARN_A);
    // The pending material: removed entirely, the key's state unchanged.
    let pending = second.key_material_id.to_string();
    let deleted = delete(&key, Some(&pending)).unwrap();
    assert!(deleted.disassociated);
    assert_eq!(deleted.key_state, KeyState::Enabled);
    // A foreign id, a malformed id.
    let foreign = KeyMaterialId::from_bytes([0xcd; 32]).to_string();
    assert_eq!(
        delete(&key, Some(&foreign)).unwrap_err().name(),
        "NotFoundException"
    );
    assert_eq!(
        delete(&key, Some("abc")).unwrap_err().name(),
        "ValidationException"
    );
    // PendingDeletion: allowed, state unchanged.
    key.key_state = KeyState::PendingDeletion;
    assert_eq!(
        delete(&key, None).unwrap().key_state,
        KeyState::PendingDeletion
    );
    key.key_state = KeyState::Updating;
    assert_eq!(
        delete(&key, None).unwrap_err().name(),
        "KMSInvalidStateException"
    );
    key.key_state = KeyState::Enabled;
    key.origin = Origin::AwsKms;
    assert_eq!(
        delete(&key, None).unwrap_err().name(),
        "UnsupportedOperationException"
    );
}

#[test]
fn inconsistent_metadata_is_the_kms_s_bug() {
    let service = service();
    let mut key = metadata(ARN_A, KeySpec::Hmac256);
    key.key_usage = KeyUsage::SignVerify;
    let request = GetParametersForImportRequest {
        key_id: KEY,
        wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
        wrapping_key_spec: WrappingKeySpec::Rsa2048,
    };
    let err = service
        .get_parameters_for_import(&request, &key, now(), &mut rng(1))
        .unwrap_err();
    assert_eq!(err.name(), "KMSInternalException");
}

/// The same EC key in four encodings has one identity, so a re-import in another encoding is the
/// same material.
#[test]
fn ec_material_identity_is_the_key_not_its_encoding() {
    use key_der::{P256, ec_pkcs8, ec_private_key};
    let service = service();
    let parts = key_der::p256_parts(21);
    let encodings = [
        parts.pkcs8_plain(),
        ec_pkcs8(P256, &ec_private_key(&parts.scalar, None, None)),
        ec_pkcs8(
            P256,
            &ec_private_key(&parts.scalar, Some(P256), Some(&parts.uncompressed)),
        ),
        ec_pkcs8(
            P256,
            &ec_private_key(&parts.scalar, None, Some(&parts.compressed)),
        ),
        parts.crate_pkcs8.clone(),
    ];
    let mut key = metadata(ARN_A, KeySpec::EccNistP256);
    let first = import(&service, &key, RSA_AES, &encodings[0], |_| {}).unwrap();
    store(&mut key, &first);
    for (i, der) in encodings.iter().enumerate() {
        let again = import(&service, &key, RSA_AES, der, |_| {})
            .unwrap_or_else(|e| panic!("encoding {i}: {e}"));
        assert_eq!(again.key_material_id, first.key_material_id, "encoding {i}");
    }
    let other = key_der::p256_parts(22).pkcs8_plain();
    assert_eq!(
        import(&service, &key, RSA_AES, &other, |_| {})
            .unwrap_err()
            .name(),
        "IncorrectKeyMaterialException"
    );
}

fn weak_rsa(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/weak_rsa.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    hex::decode(json[name].as_str().unwrap()).unwrap()
}

/// The same RSA key with p and q swapped (CRT values recomputed) is the same material.
#[test]
fn rsa_material_identity_ignores_the_order_of_the_primes() {
    use key_der::{D, E, N, P, Q, RsaFields};
    let service = service();
    let der = weak_rsa("valid");
    let fields = RsaFields::from_pkcs8(&der);
    let big = |b: &[u8]| rsa::BoxedUint::from_be_slice(b, 2048).unwrap();
    let swapped = rsa::PrivateKey::from_components(
        big(&fields.ints[N]),
        big(&fields.ints[E]),
        big(&fields.ints[D]),
        vec![big(&fields.ints[Q]), big(&fields.ints[P])],
    )
    .unwrap();
    let swapped_der = {
        use rsa::pkcs8::EncodePrivateKey;
        swapped.to_pkcs8_der().unwrap().as_bytes().to_vec()
    };
    assert_eq!(RsaFields::from_pkcs8(&swapped_der).ints[P], fields.ints[Q]);
    let mut key = metadata(ARN_A, KeySpec::Rsa2048);
    let first = import(&service, &key, RSA_AES, &der, |_| {}).unwrap();
    store(&mut key, &first);
    let again = import(&service, &key, RSA_AES, &swapped_der, |_| {}).unwrap();
    assert_eq!(again.key_material_id, first.key_material_id);
}

/// FIPS 186-5 A.1: keys that openssl's `pkey -check` partly accepts, refused with the reason.
#[test]
fn weak_rsa_material_is_refused_with_the_reason() {
    let service = service();
    let key = metadata(ARN_A, KeySpec::Rsa2048);
    for (name, phrase) in [
        ("composite_p", "composite"),
        ("close_primes", "too close together"),
        ("d_above_lambda", "below LCM(p - 1, q - 1)"),
    ] {
        let der = weak_rsa(name);
        let err =
            material::validate(Partition::Aws, KeySpec::Rsa2048, &der, &mut rng(11)).unwrap_err();
        assert!(err.to_string().contains(phrase), "{name}: {err}");
        let err = import(&service, &key, RSA_AES, &der, |_| {}).unwrap_err();
        assert_eq!(err.name(), "IncorrectKeyMaterialException", "{name}");
        assert!(err.message().contains(phrase), "{name}: {err}");
    }
    assert!(
        material::validate(
            Partition::Aws,
            KeySpec::Rsa2048,
            &weak_rsa("valid"),
            &mut rng(12)
        )
        .is_ok()
    );
}

/// An RSAES-OAEP block can carry 0 bytes: that decrypts, so it is judged like 1–31 bytes
/// (IncorrectKeyMaterialException), not as a bad ciphertext.
#[test]
fn empty_plaintext_is_incorrect_key_material_like_its_neighbours() {
    let service = service();
    let key = metadata(ARN_A, KeySpec::SymmetricDefault);
    for len in [0usize, 1, 31] {
        let (token, _) = wrapped(&service, &key, OAEP, &[1; 32]);
        let opened = service.open_import_token(&token, KEY, &key, now()).unwrap();
        let public = opened.wrapping_key().public_key().to_der();
        let rsa_public = {
            use rsa::pkcs8::DecodePublicKey;
            rsa::PublicKey::from_public_key_der(&public).unwrap()
        };
        let ct = rsa_public
            .oaep_encrypt_with_rng::<sha2::Sha256, _>(&mut rng(13), &vec![7u8; len])
            .unwrap();
        let request = ImportKeyMaterialRequest {
            key_id: KEY,
            import_token: &token,
            encrypted_key_material: &ct,
            expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
            ..Default::default()
        };
        let err = service
            .import_key_material(&request, &key, now(), &mut rng(14))
            .unwrap_err();
        assert_eq!(err.name(), "IncorrectKeyMaterialException", "{len} bytes");
        assert!(err.message().contains(&format!("not {len}")), "{err}");
    }
}

/// ValidTo with a fraction of a second is rounded up, so both bounds compare exactly.
#[test]
fn fractional_valid_to_is_compared_exactly() {
    let service = service();
    let key = metadata(ARN_A, KeySpec::SymmetricDefault);
    let at = |text: &str| UnixTime::parse_rfc3339(text, Rounding::Up).unwrap();
    // now = 2027-01-15T08:00:00Z; + 365 days = 2028-01-15T08:00:00Z.
    for (valid_to, ok) in [
        ("2028-01-15T08:00:00Z", true),
        ("2028-01-15T08:00:00.999Z", false),
        ("2027-01-15T08:00:00.5Z", true),
        ("2027-01-15T08:00:00Z", false),
    ] {
        let result = import(&service, &key, OAEP, &[1; 32], |r| {
            r.expiration_model = Some(ExpirationModel::KeyMaterialExpires);
            r.valid_to = Some(at(valid_to));
        });
        assert_eq!(result.is_ok(), ok, "{valid_to}: {:?}", result.err());
    }
}
