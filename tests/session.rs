//! GetParametersForImport and ImportKeyMaterial end to end: every refusal KMS documents, and the
//! whole flow (client wraps under the returned public key) for every wrapping key spec.

use kms_import::{
    AssociatedKeyMaterial, ExpirationModel, GetParametersForImportRequest,
    GetParametersForImportResponse, INVALID_CIPHERTEXT_MESSAGE, ImportKeyMaterialRequest,
    ImportService, ImportState, ImportType, ImportedKeyMaterial, KeyArn, KeyIdentifier,
    KeyMaterialExpiration, KeyMaterialId, KeyMaterialIdKey, KeyMaterialState, KeyMetadata, KeySpec,
    KeyState, KmsError, Origin, Partition, SealingKeyId, SealingKeys, TokenSealingKey, UnixTime,
    WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey, WrappingScheme,
};
use rand::{SeedableRng, rngs::ChaCha20Rng};

use KeySpec as K;
use Partition::{Aws, AwsCn, AwsUsGov};
use WrappingAlgorithm as A;
use WrappingKeySpec as W;

const KEY_UUID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_UUID: &str = "0000abcd-12ab-34cd-56ef-1234567890ab";
const NOW: u64 = 1_700_000_000;
const DAY: u64 = 86_400;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs).unwrap()
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

struct Kms {
    service: ImportService,
}

/// A KMS whose token sealing secret is `sealing` and whose `KeyMaterialId` secret is `ids`.
fn kms_with(sealing: [u8; 32], ids: [u8; 32]) -> Kms {
    Kms {
        service: ImportService::new(
            SealingKeys::new(TokenSealingKey::new(SealingKeyId(1), &sealing)),
            KeyMaterialIdKey::derive(&ids),
        ),
    }
}

fn kms() -> Kms {
    kms_with([0x5a; 32], [0x5a; 32])
}

/// The KMS's record of the key `KEY_UUID`: created with origin EXTERNAL, no material yet; the
/// KMS knows its key ID (not its ARN) and its first key usage.
fn metadata(ks: KeySpec, partition: Partition) -> KeyMetadata {
    meta_of(KEY_UUID, ks, partition)
}

fn meta_of(key_id: &str, ks: KeySpec, partition: Partition) -> KeyMetadata {
    KeyMetadata::with_key_id(
        key_id.parse().unwrap(),
        partition,
        ks,
        ks.rule().key_usages[0],
    )
}

/// `meta` after material with id `id` was imported: the material is associated with the key
/// (CURRENT, IMPORTED, or PENDING_IMPORT once it expired) and the key is in `state`.
fn with_material(meta: &KeyMetadata, id: KeyMaterialId, state: KeyState) -> KeyMetadata {
    let mut m = meta.clone();
    m.key_state = state;
    m.key_materials = vec![AssociatedKeyMaterial {
        key_material_id: id,
        state: KeyMaterialState::Current,
        import_state: if state == KeyState::PendingImport {
            ImportState::PendingImport
        } else {
            ImportState::Imported
        },
    }];
    m
}

impl Kms {
    fn get_parameters(
        &self,
        key_id: &str,
        meta: &KeyMetadata,
        alg: WrappingAlgorithm,
        wks: WrappingKeySpec,
        seed: u64,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        let request = GetParametersForImportRequest {
            key_id,
            wrapping_algorithm: alg,
            wrapping_key_spec: wks,
        };
        self.service
            .get_parameters_for_import(&request, meta, at(NOW), &mut rng(seed))
    }

    fn import(
        &self,
        meta: &KeyMetadata,
        request: &ImportKeyMaterialRequest<'_>,
        now: u64,
    ) -> Result<ImportedKeyMaterial, KmsError> {
        self.service
            .import_key_material(request, meta, at(now), &mut rng(99))
    }
}

fn request<'a>(token: &'a [u8], encrypted: &'a [u8]) -> ImportKeyMaterialRequest<'a> {
    ImportKeyMaterialRequest {
        key_id: KEY_UUID,
        import_token: token,
        encrypted_key_material: encrypted,
        expiration_model: Some(ExpirationModel::KeyMaterialDoesNotExpire),
        valid_to: None,
        ..Default::default()
    }
}

fn wrap(
    params: &GetParametersForImportResponse,
    alg: WrappingAlgorithm,
    material: &[u8],
    seed: u64,
) -> Vec<u8> {
    WrappingPublicKey::from_der(&params.public_key)
        .unwrap()
        .wrap_key_material(
            WrappingScheme::try_from(alg).unwrap(),
            material,
            &mut rng(seed),
        )
        .unwrap()
}

fn expect(result: Result<impl core::fmt::Debug, KmsError>, name: &str, phrase: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.name(), name, "{e}");
            assert!(e.to_string().starts_with(&format!("{name}: ")), "{e}");
            assert!(e.to_string().contains(phrase), "{e:?} lacks {phrase:?}");
        }
        Ok(v) => panic!("expected {name}, got {v:?}"),
    }
}

// ---------- key material ----------

fn rsa_pkcs8(bits: usize, seed: u64) -> Vec<u8> {
    let spec = match bits {
        2048 => W::Rsa2048,
        3072 => W::Rsa3072,
        _ => W::Rsa4096,
    };
    WrappingPrivateKey::generate(spec, &mut rng(seed))
        .unwrap()
        .to_pkcs8_der()
        .unwrap()
        .to_vec()
}

macro_rules! ec_pkcs8_fn {
    ($name:ident, $krate:ident) => {
        fn $name(seed: u64) -> Vec<u8> {
            use $krate::elliptic_curve::Generate;
            use $krate::pkcs8::EncodePrivateKey;
            let sk = $krate::SecretKey::generate_from_rng(&mut rng(seed));
            sk.to_pkcs8_der().unwrap().as_bytes().to_vec()
        }
    };
}
ec_pkcs8_fn!(p256_pkcs8, p256);
ec_pkcs8_fn!(p384_pkcs8, p384);
ec_pkcs8_fn!(p521_pkcs8, p521);
ec_pkcs8_fn!(k256_pkcs8, k256);
ec_pkcs8_fn!(sm2_pkcs8, sm2);

fn random(len: usize, seed: u64) -> Vec<u8> {
    use rand::Rng;
    let mut v = vec![0; len];
    rng(seed).fill_bytes(&mut v);
    v
}

// ---------- GetParametersForImport ----------

#[test]
fn get_parameters_returns_the_api_response() {
    let kms = kms();
    let meta = metadata(K::SymmetricDefault, Aws);
    let params = kms
        .get_parameters(KEY_UUID, &meta, A::RsaesOaepSha256, W::Rsa2048, 1)
        .unwrap();
    assert_eq!(params.key_id.to_string(), KEY_UUID);
    assert_eq!(params.parameters_valid_to, at(NOW + DAY));
    assert_eq!(
        WrappingPublicKey::from_der(&params.public_key)
            .unwrap()
            .spec(),
        W::Rsa2048
    );
    // KeyId: the ARN given, canonical (lower case)...
    let arn = "arn:aws:kms:us-east-2:111122223333:key/1234ABCD-12ab-34cd-56ef-1234567890ab";
    let params = kms
        .get_parameters(arn, &meta, A::RsaesOaepSha256, W::Rsa2048, 2)
        .unwrap();
    assert_eq!(params.key_id.to_string(), arn.to_lowercase());
    // ... or the ARN known from the metadata.
    let mut known = meta.clone();
    known.key = KeyIdentifier::Arn(arn.parse::<KeyArn>().unwrap());
    let params = kms
        .get_parameters(KEY_UUID, &known, A::RsaesOaepSha256, W::Rsa2048, 3)
        .unwrap();
    assert_eq!(params.key_id.to_string(), arn.to_lowercase());
}

#[test]
fn key_ids_that_are_not_ids_or_arns_or_name_another_key() {
    let kms = kms();
    let meta = metadata(K::SymmetricDefault, Aws);
    let go = |id: &str, meta: &KeyMetadata| {
        kms.get_parameters(id, meta, A::RsaesOaepSha256, W::Rsa2048, 4)
    };
    expect(
        go("alias/my-key", &meta),
        "InvalidArnException",
        "aliases are not accepted",
    );
    expect(
        go("my-key", &meta),
        "InvalidArnException",
        "key ID or key ARN",
    );
    let cn_arn = format!("arn:aws-cn:kms:cn-north-1:111122223333:key/{KEY_UUID}");
    expect(
        go(&cn_arn, &meta),
        "InvalidArnException",
        "is in the aws-cn partition, but the key is in aws",
    );
    let mut known = meta.clone();
    known.key = KeyIdentifier::Arn(
        format!("arn:aws:kms:us-east-2:111122223333:key/{KEY_UUID}")
            .parse()
            .unwrap(),
    );
    expect(
        go(OTHER_UUID, &known),
        "NotFoundException",
        "does not identify the KMS key",
    );
    let other_account = format!("arn:aws:kms:us-east-2:444455556666:key/{KEY_UUID}");
    expect(
        go(&other_account, &known),
        "NotFoundException",
        "does not identify",
    );
}

#[test]
fn origin_custom_key_store_and_key_state_refusals() {
    let kms = kms();
    let go =
        |meta: &KeyMetadata| kms.get_parameters(KEY_UUID, meta, A::RsaesOaepSha256, W::Rsa2048, 5);
    for origin in [
        Origin::AwsKms,
        Origin::AwsCloudHsm,
        Origin::ExternalKeyStore,
    ] {
        let mut meta = metadata(K::SymmetricDefault, Aws);
        meta.origin = origin;
        expect(
            go(&meta),
            "UnsupportedOperationException",
            "Origin is EXTERNAL",
        );
    }
    let mut meta = metadata(K::SymmetricDefault, Aws);
    meta.custom_key_store = true;
    expect(
        go(&meta),
        "UnsupportedOperationException",
        "custom key store",
    );
    for (state, phrase) in [
        (
            KeyState::PendingDeletion,
            "pending deletion; cancel the key deletion",
        ),
        (
            KeyState::PendingReplicaDeletion,
            "pending deletion of its replicas",
        ),
        (KeyState::Creating, "the KMS key is Creating"),
        (KeyState::Updating, "the KMS key is Updating"),
        (KeyState::Unavailable, "the KMS key is Unavailable"),
    ] {
        let mut meta = metadata(K::SymmetricDefault, Aws);
        meta.key_state = state;
        expect(go(&meta), "KMSInvalidStateException", phrase);
    }
    // PendingImport, and Enabled / Disabled for a reimport, are allowed (key state table).
    for state in [
        KeyState::PendingImport,
        KeyState::Enabled,
        KeyState::Disabled,
    ] {
        let mut meta = metadata(K::SymmetricDefault, Aws);
        meta.key_state = state;
        go(&meta).unwrap();
    }
}

#[test]
fn matrix_refusals_are_unsupported_operation_with_the_reason() {
    let kms = kms();
    let go = |ks, p, alg, wks| kms.get_parameters(KEY_UUID, &metadata(ks, p), alg, wks, 6);
    expect(
        go(K::EccNistP521, Aws, A::RsaesOaepSha256, W::Rsa2048),
        "UnsupportedOperationException",
        // API v2 wording: "an RSA_2048".
        "does not fit in one RSAES_OAEP_SHA_256 block of an RSA_2048 wrapping key",
    );
    expect(
        go(K::EccNistP521, Aws, A::RsaesOaepSha1, W::Rsa2048),
        "UnsupportedOperationException",
        "does not fit",
    );
    for ks in [K::SymmetricDefault, K::Rsa2048] {
        expect(
            go(ks, Aws, A::RsaesPkcs1V15, W::Rsa2048),
            "UnsupportedOperationException",
            "deprecated since 2023-10-10",
        );
    }
    expect(
        go(K::Rsa2048, Aws, A::RsaesOaepSha256, W::Rsa2048),
        "UnsupportedOperationException",
        "RSA_AES_KEY_WRAP_SHA_256",
    );
    expect(
        go(K::SymmetricDefault, Aws, A::RsaAesKeyWrapSha256, W::Rsa2048),
        "UnsupportedOperationException",
        "cannot wrap SYMMETRIC_DEFAULT",
    );
    // API v2: the matrix's text names the partition and the alternative computed from the
    // matrix (it used to say "exists only in the China Regions").
    expect(
        go(K::Sm2, Aws, A::Sm2Pke, W::Sm2),
        "UnsupportedOperationException",
        "the SM2 key spec does not exist in aws; instead use SM2PKE with an SM2 wrapping key in aws-cn",
    );
    // API v2: same advice (SM2PKE with an SM2 wrapping key), in the matrix's new wording.
    expect(
        go(K::Rsa2048, AwsCn, A::RsaAesKeyWrapSha256, W::Rsa2048),
        "UnsupportedOperationException",
        "RSA_AES_KEY_WRAP_SHA_256 is not available in aws-cn; instead use SM2PKE with an SM2 wrapping key",
    );
    expect(
        go(K::MlDsa44, Aws, A::RsaesOaepSha256, W::Rsa4096),
        "UnsupportedOperationException",
        "cannot receive imported key material",
    );
}

// ---------- ImportKeyMaterial: the whole flow ----------

/// Issues parameters, wraps `material` as a client would, imports, and checks the result.
fn round_trip(
    partition: Partition,
    ks: KeySpec,
    alg: WrappingAlgorithm,
    wks: WrappingKeySpec,
    material: &[u8],
    seed: u64,
) {
    let kms = kms();
    let meta = metadata(ks, partition);
    let params = kms.get_parameters(KEY_UUID, &meta, alg, wks, seed).unwrap();
    let encrypted = wrap(&params, alg, material, seed + 1);
    let mut req = request(&params.import_token, &encrypted);
    req.expiration_model = None;
    req.valid_to = Some(at(NOW + 30 * DAY));
    let imported = kms
        .import(&meta, &req, NOW + 60)
        .unwrap_or_else(|e| panic!("{partition} {ks} {alg} {wks}: {e}"));
    assert_eq!(
        imported.material.as_bytes(),
        material,
        "{partition} {ks} {alg} {wks}"
    );
    assert_eq!(imported.key_id.to_string(), KEY_UUID);
    assert_eq!(
        imported.expiration,
        KeyMaterialExpiration::ExpiresAt(at(NOW + 30 * DAY))
    );
    assert_eq!(imported.import_type, ImportType::NewKeyMaterial);
    assert_eq!(imported.key_material_state, KeyMaterialState::Current);
    assert_eq!(imported.key_state, KeyState::Enabled);
    let response = imported.response();
    assert_eq!(response.key_id, imported.key_id);
    assert_eq!(response.key_material_id, imported.key_material_id);
    // API v2: the fingerprint is the KeyMaterialId, derived inside the service (its derivation is
    // not public); that it is the keyed id of this material for this key shows as: the same
    // secrets give the same id (a fresh service, as after a restart), another id secret another.
    assert_eq!(
        kms_with([0x5a; 32], [0x5a; 32])
            .import(&meta, &req, NOW + 60)
            .unwrap()
            .key_material_id,
        imported.key_material_id
    );
    assert_ne!(
        kms_with([0x5a; 32], [0x5b; 32])
            .import(&meta, &req, NOW + 60)
            .unwrap()
            .key_material_id,
        imported.key_material_id
    );
    // A reimport of the same material, into the key that now holds it, is accepted.
    let enabled = with_material(&meta, imported.key_material_id, KeyState::Enabled);
    let again = kms.import(&enabled, &req, NOW + 120).unwrap();
    assert_eq!(again.key_material_id, imported.key_material_id);
    assert_eq!(again.import_type, ImportType::ExistingKeyMaterial);
}

#[test]
fn full_flow_rsa_2048_wrapping_key() {
    round_trip(
        Aws,
        K::SymmetricDefault,
        A::RsaesOaepSha256,
        W::Rsa2048,
        &random(32, 1),
        100,
    );
    round_trip(
        Aws,
        K::Hmac224,
        A::RsaesOaepSha1,
        W::Rsa2048,
        &random(28, 2),
        110,
    );
    round_trip(
        Aws,
        K::Rsa2048,
        A::RsaAesKeyWrapSha256,
        W::Rsa2048,
        &rsa_pkcs8(2048, 3),
        120,
    );
    round_trip(
        Aws,
        K::EccNistP384,
        A::RsaAesKeyWrapSha1,
        W::Rsa2048,
        &p384_pkcs8(4),
        130,
    );
    round_trip(
        AwsUsGov,
        K::Hmac256,
        A::RsaesOaepSha256,
        W::Rsa2048,
        &random(32, 5),
        140,
    );
    round_trip(
        AwsCn,
        K::SymmetricDefault,
        A::RsaesOaepSha256,
        W::Rsa2048,
        &random(16, 6),
        150,
    );
}

#[test]
fn full_flow_rsa_3072_wrapping_key() {
    round_trip(
        Aws,
        K::Hmac512,
        A::RsaesOaepSha256,
        W::Rsa3072,
        &random(64, 7),
        200,
    );
    round_trip(
        Aws,
        K::EccSecgP256k1,
        A::RsaAesKeyWrapSha1,
        W::Rsa3072,
        &k256_pkcs8(8),
        210,
    );
    round_trip(
        Aws,
        K::Rsa3072,
        A::RsaAesKeyWrapSha256,
        W::Rsa3072,
        &rsa_pkcs8(3072, 9),
        220,
    );
}

#[test]
fn full_flow_rsa_4096_wrapping_key() {
    round_trip(
        Aws,
        K::EccNistP521,
        A::RsaesOaepSha1,
        W::Rsa4096,
        &p521_pkcs8(10),
        300,
    );
    round_trip(
        Aws,
        K::EccNistP256,
        A::RsaAesKeyWrapSha256,
        W::Rsa4096,
        &p256_pkcs8(11),
        310,
    );
}

#[test]
fn full_flow_sm2_wrapping_key() {
    round_trip(AwsCn, K::Sm2, A::Sm2Pke, W::Sm2, &sm2_pkcs8(12), 400);
    round_trip(
        AwsCn,
        K::EccNistP256,
        A::Sm2Pke,
        W::Sm2,
        &p256_pkcs8(13),
        410,
    );
    round_trip(
        AwsCn,
        K::Rsa2048,
        A::Sm2Pke,
        W::Sm2,
        &rsa_pkcs8(2048, 14),
        420,
    );
}

// ---------- ImportKeyMaterial: refusals ----------

/// Parameters for a `ks` key under SM2 (fast to generate) or RSA-2048.
fn setup(
    ks: KeySpec,
    partition: Partition,
    alg: WrappingAlgorithm,
    wks: WrappingKeySpec,
    seed: u64,
) -> (Kms, KeyMetadata, GetParametersForImportResponse) {
    let kms = kms();
    let meta = metadata(ks, partition);
    let params = kms.get_parameters(KEY_UUID, &meta, alg, wks, seed).unwrap();
    (kms, meta, params)
}

#[test]
fn material_that_does_not_fit_the_key_spec_is_incorrect() {
    let (kms, meta, params) = setup(K::Hmac256, Aws, A::RsaesOaepSha256, W::Rsa2048, 500);
    for len in [31, 33, 16] {
        let enc = wrap(&params, A::RsaesOaepSha256, &random(len, 1), 2);
        expect(
            kms.import(&meta, &request(&params.import_token, &enc), NOW),
            "IncorrectKeyMaterialException",
            // API v2: the message is the material check's own text ("incorrect HMAC_256 key
            // material: it must be exactly 32 bytes, not 31"); it no longer names the partition.
            "incorrect HMAC_256 key material: it must be exactly 32 bytes",
        );
    }
    // An RSA-3072 private key into an RSA_2048 key.
    let (kms, meta, params) = setup(K::Rsa2048, Aws, A::RsaAesKeyWrapSha256, W::Rsa2048, 510);
    let enc = wrap(&params, A::RsaAesKeyWrapSha256, &rsa_pkcs8(3072, 3), 4);
    expect(
        kms.import(&meta, &request(&params.import_token, &enc), NOW),
        "IncorrectKeyMaterialException",
        "incorrect RSA_2048 key material",
    );
    // EC keys on the wrong curve.
    let (kms, meta, params) = setup(K::EccNistP256, AwsCn, A::Sm2Pke, W::Sm2, 520);
    for (other, what) in [
        (p384_pkcs8(5), "P-384"),
        (k256_pkcs8(6), "secp256k1"),
        (sm2_pkcs8(7), "SM2"),
    ] {
        let enc = wrap(&params, A::Sm2Pke, &other, 8);
        let result = kms.import(&meta, &request(&params.import_token, &enc), NOW);
        assert!(
            matches!(result, Err(KmsError::IncorrectKeyMaterialException(_))),
            "{what}: {result:?}"
        );
    }
    // An SM2 key into an SM2 key spec is right; a P-256 key is not.
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 530);
    let enc = wrap(&params, A::Sm2Pke, &p256_pkcs8(9), 10);
    expect(
        kms.import(&meta, &request(&params.import_token, &enc), NOW),
        "IncorrectKeyMaterialException",
        "SM2",
    );
}

#[test]
fn reimport_must_be_the_same_material() {
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 600);
    let first = sm2_pkcs8(1);
    let enc = wrap(&params, A::Sm2Pke, &first, 2);
    let imported = kms
        .import(&meta, &request(&params.import_token, &enc), NOW)
        .unwrap();
    assert_eq!(imported.expiration, KeyMaterialExpiration::DoesNotExpire);
    let stored: KeyMaterialId = imported.key_material_id.to_string().parse().unwrap();
    // API v2: the KMS records the id in the key's metadata instead of passing it alongside.
    let enabled = with_material(&meta, stored, KeyState::Enabled);
    let params = kms
        .get_parameters(KEY_UUID, &enabled, A::Sm2Pke, W::Sm2, 601)
        .unwrap();
    // Different material: refused.
    let enc = wrap(&params, A::Sm2Pke, &sm2_pkcs8(3), 4);
    expect(
        kms.import(&enabled, &request(&params.import_token, &enc), NOW),
        "IncorrectKeyMaterialException",
        "not the same key material as previously imported",
    );
    // Same material, also after it expired (PendingImport with the material still associated):
    // accepted.
    let enc = wrap(&params, A::Sm2Pke, &first, 5);
    for state in [
        KeyState::Enabled,
        KeyState::Disabled,
        KeyState::PendingImport,
    ] {
        let m = with_material(&meta, stored, state);
        let again = kms
            .import(&m, &request(&params.import_token, &enc), NOW)
            .unwrap();
        assert_eq!(again.key_material_id, stored);
    }
    // API v2: "an Enabled key without a stored fingerprint" cannot be expressed any more (the
    // metadata lists the key's materials); its equivalent is re-importing EXISTING_KEY_MATERIAL
    // into a key that has none, which is refused. (ImportType is for symmetric keys only.)
    let (sym_kms, sym_meta, sym_params) = setup(
        K::SymmetricDefault,
        Aws,
        A::RsaesOaepSha256,
        W::Rsa2048,
        602,
    );
    let sym_enc = wrap(&sym_params, A::RsaesOaepSha256, &random(32, 6), 7);
    let existing = ImportKeyMaterialRequest {
        import_type: Some(ImportType::ExistingKeyMaterial),
        ..request(&sym_params.import_token, &sym_enc)
    };
    expect(
        sym_kms.import(&sym_meta, &existing, NOW),
        "IncorrectKeyMaterialException",
        "no key material was ever imported into this KMS key",
    );
    // Ids are keyed: another KMS secret gives another id for the same material and key.
    let other = kms_with([0x5a; 32], [1; 32])
        .import(&meta, &request(&params.import_token, &enc), NOW)
        .unwrap();
    assert_eq!(other.material.as_bytes(), first);
    assert_ne!(other.key_material_id, stored);
}

#[test]
fn valid_to_and_expiration_model_are_validated() {
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 700);
    let material = sm2_pkcs8(1);
    let enc = wrap(&params, A::Sm2Pke, &material, 2);
    let with = |model: Option<ExpirationModel>, valid_to: Option<u64>| ImportKeyMaterialRequest {
        expiration_model: model,
        valid_to: valid_to.map(at),
        ..request(&params.import_token, &enc)
    };
    let expires = Some(ExpirationModel::KeyMaterialExpires);
    let never = Some(ExpirationModel::KeyMaterialDoesNotExpire);
    expect(
        kms.import(&meta, &with(expires, Some(NOW - 1)), NOW),
        "ValidationException",
        "must be in the future",
    );
    expect(
        kms.import(&meta, &with(None, Some(NOW)), NOW),
        "ValidationException",
        "must be in the future",
    );
    expect(
        kms.import(&meta, &with(expires, Some(NOW + 365 * DAY + 1)), NOW),
        "ValidationException",
        "at most 365 days",
    );
    expect(
        kms.import(&meta, &with(never, Some(NOW + DAY)), NOW),
        "ValidationException",
        "must be omitted",
    );
    expect(
        kms.import(&meta, &with(None, None), NOW),
        "ValidationException",
        "ValidTo is required",
    );
    expect(
        kms.import(&meta, &with(expires, None), NOW),
        "ValidationException",
        "ValidTo is required",
    );
    // Parameter validation comes before the token is looked at.
    let garbage = ImportKeyMaterialRequest {
        import_token: b"garbage",
        ..with(None, None)
    };
    expect(
        kms.import(&meta, &garbage, NOW),
        "ValidationException",
        "ValidTo is required",
    );
    // The limits themselves are accepted.
    let ok = kms
        .import(&meta, &with(expires, Some(NOW + 365 * DAY)), NOW)
        .unwrap();
    assert_eq!(
        ok.expiration,
        KeyMaterialExpiration::ExpiresAt(at(NOW + 365 * DAY))
    );
    let ok = kms.import(&meta, &with(None, Some(NOW + 1)), NOW).unwrap();
    assert_eq!(ok.expiration, KeyMaterialExpiration::ExpiresAt(at(NOW + 1)));
    assert_eq!(ok.material.as_bytes(), material);
}

#[test]
fn import_refuses_wrong_origin_store_and_state() {
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 800);
    let enc = wrap(&params, A::Sm2Pke, &sm2_pkcs8(1), 2);
    let req = request(&params.import_token, &enc);
    let mut m = meta.clone();
    m.origin = Origin::AwsKms;
    expect(
        kms.import(&m, &req, NOW),
        "UnsupportedOperationException",
        "Origin is EXTERNAL; this key's Origin is AWS_KMS",
    );
    let mut m = meta.clone();
    m.custom_key_store = true;
    expect(
        kms.import(&m, &req, NOW),
        "UnsupportedOperationException",
        "custom key store",
    );
    let mut m = meta.clone();
    m.key_state = KeyState::PendingDeletion;
    expect(
        kms.import(&m, &req, NOW),
        "KMSInvalidStateException",
        "pending deletion",
    );
    kms.import(&meta, &req, NOW).unwrap();
}

#[test]
fn undecryptable_material_is_one_opaque_invalid_ciphertext() {
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 900);
    let good = wrap(&params, A::Sm2Pke, &sm2_pkcs8(1), 2);
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    let (_, _, other) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 901);
    let under_other_key = wrap(&other, A::Sm2Pke, &sm2_pkcs8(1), 3);
    let opaque = format!("InvalidCiphertextException: {INVALID_CIPHERTEXT_MESSAGE}");
    for (what, enc) in [
        ("empty", vec![]),
        ("too long", vec![4; 6145]),
        ("garbage", vec![4; 200]),
        ("flipped", flipped),
        ("truncated", good[..good.len() - 1].to_vec()),
        ("other wrapping key", under_other_key),
    ] {
        let err = kms
            .import(&meta, &request(&params.import_token, &enc), NOW)
            .unwrap_err();
        assert_eq!(err, KmsError::InvalidCiphertextException, "{what}");
        assert_eq!(err.to_string(), opaque, "{what}");
    }
    // The RSA algorithms too: OAEP and RSA-AES key wrap.
    for (ks, alg, material) in [
        (K::SymmetricDefault, A::RsaesOaepSha256, random(32, 4)),
        (K::EccNistP256, A::RsaAesKeyWrapSha256, p256_pkcs8(5)),
    ] {
        let (kms, meta, params) = setup(ks, Aws, alg, W::Rsa2048, 902);
        let mut enc = wrap(&params, alg, &material, 6);
        kms.import(&meta, &request(&params.import_token, &enc), NOW)
            .unwrap();
        let last = enc.len() - 1;
        enc[last] ^= 0x80;
        let err = kms
            .import(&meta, &request(&params.import_token, &enc), NOW)
            .unwrap_err();
        assert_eq!(err.to_string(), opaque, "{alg}");
    }
}

#[test]
fn import_refuses_tokens_for_other_keys_expired_or_malformed() {
    let (kms, meta, params) = setup(K::Sm2, AwsCn, A::Sm2Pke, W::Sm2, 1000);
    let enc = wrap(&params, A::Sm2Pke, &sm2_pkcs8(1), 2);
    // Replayed on another key (the request and the metadata name that other key).
    let other = ImportKeyMaterialRequest {
        key_id: OTHER_UUID,
        ..request(&params.import_token, &enc)
    };
    let other_key = meta_of(OTHER_UUID, K::Sm2, AwsCn);
    // API v2 (hardening): the message no longer quotes what the token sealed (its key ID).
    expect(
        kms.import(&other_key, &other, NOW),
        "InvalidImportTokenException",
        "belongs to another KMS key",
    );
    let err = kms.import(&other_key, &other, NOW).unwrap_err();
    assert!(!err.to_string().contains(KEY_UUID), "{err}");
    // API v2: the metadata knows its key, so a request naming another key is NotFound first.
    expect(
        kms.import(&meta, &other, NOW),
        "NotFoundException",
        "does not identify the KMS key",
    );
    // Same key ID, but the KMS's metadata says another key spec or partition.
    let changed = metadata(K::EccNistP256, AwsCn);
    // API v2 (hardening): said without quoting the token's sealed key spec and partition.
    expect(
        kms.import(&changed, &request(&params.import_token, &enc), NOW),
        "InvalidImportTokenException",
        "issued for another key spec or partition than this key's",
    );
    let err = kms
        .import(&changed, &request(&params.import_token, &enc), NOW)
        .unwrap_err();
    assert!(!err.to_string().contains("SM2"), "{err}");
    // Expired: valid through ParametersValidTo, not one second after.
    let valid_to = params.parameters_valid_to.as_secs();
    kms.import(&meta, &request(&params.import_token, &enc), valid_to)
        .unwrap();
    expect(
        kms.import(&meta, &request(&params.import_token, &enc), valid_to + 1),
        "ExpiredImportTokenException",
        "call GetParametersForImport again",
    );
    // Empty, too long, or under another sealing key.
    expect(
        kms.import(&meta, &request(&[], &enc), NOW),
        "InvalidImportTokenException",
        "1 to 6144 bytes",
    );
    expect(
        kms.import(&meta, &request(&[0; 6145], &enc), NOW),
        "InvalidImportTokenException",
        "1 to 6144 bytes",
    );
    let stranger = kms_with([0x11; 32], [0x5a; 32]);
    expect(
        stranger.import(&meta, &request(&params.import_token, &enc), NOW),
        "InvalidImportTokenException",
        "failed authentication",
    );
}
