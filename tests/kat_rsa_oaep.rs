//! Known-answer tests for `RSAES_OAEP_SHA_1` / `RSAES_OAEP_SHA_256` unwrapping, through the public
//! API only (`WrappingPrivateKey::from_pkcs8_der` + `unwrap`), against Wycheproof (C2SP/wycheproof
//! `testvectors_v1`, see `test-vectors/README.md`).
//!
//! What each case must do under KMS's rules (MGF1 with the OAEP hash, empty label, no empty
//! material):
//! - valid, empty label, non-empty `msg`: unwraps to `msg`;
//! - valid, empty label, empty `msg`: unwraps to empty material (the ciphertext is genuine), which
//!   `material::validate` then refuses as `MaterialReason::Empty` for every key spec — and the
//!   `rsa` crate confirms the vector really decrypts to nothing;
//! - non-empty label (KMS never uses one): refused as `Error::InvalidCiphertext` — and the `rsa` crate
//!   confirms the vector decrypts with its label, so the refusal comes from the label;
//! - invalid: refused as exactly `Error::InvalidCiphertext`;
//! - SHA-256 with MGF1-SHA1 (the mismatched files): refused under `RSAES_OAEP_SHA_256` (and under
//!   `RSAES_OAEP_SHA_1`), while the `rsa` crate decrypts the valid ones with MGF1-SHA1.
//!
//! Every file's tally is printed and compared with fixed numbers and with the file's
//! `numberOfTests`, so a loop that skipped cases fails.

mod common;

use common::{Expected, Tally, WycheproofFile, load_json, test_rng, unhex};
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
use pkcs8::DecodePrivateKey;
use rand::rngs::ChaCha20Rng;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OaepGroup {
    key_size: usize,
    sha: String,
    mgf_sha: String,
    private_key: RsaComponents,
    private_key_pkcs8: String,
    tests: Vec<OaepTest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RsaComponents {
    public_exponent: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OaepTest {
    tc_id: u32,
    comment: String,
    msg: String,
    ct: String,
    label: String,
    result: Expected,
}

// Tally buckets.
const DECRYPTED: &str = "valid: decrypted to msg";
const EMPTY: &str = "valid: empty material, refused by material::validate";
const LABEL: &str = "non-empty label: refused";
const INVALID: &str = "invalid: refused";
const MGF_SHA1: &str = "valid with MGF1-SHA1: refused";
const SIZE_REFUSED: &str = "key refused: size not 2048/3072/4096";
const OTHER_HASH: &str = "other hash pair: refused";

/// The KMS algorithm for an (OAEP hash, MGF1 hash) pair, if any.
fn kms_algorithm(sha: &str, mgf_sha: &str) -> Option<WrappingScheme> {
    match (sha, mgf_sha) {
        ("SHA-1", "SHA-1") => Some(WrappingScheme::RsaesOaepSha1),
        ("SHA-256", "SHA-256") => Some(WrappingScheme::RsaesOaepSha256),
        _ => None,
    }
}

fn spec_for_bits(bits: usize) -> Option<WrappingKeySpec> {
    match bits {
        2048 => Some(WrappingKeySpec::Rsa2048),
        3072 => Some(WrappingKeySpec::Rsa3072),
        4096 => Some(WrappingKeySpec::Rsa4096),
        _ => None,
    }
}

/// Imports the group's key through the public API and checks its spec. Wycheproof's OAEP keys all
/// have e = 65537; a group with another exponent would fail here.
fn import_key(file: &str, group: &OaepGroup) -> Result<WrappingPrivateKey, Error> {
    assert_eq!(
        group.private_key.public_exponent, "010001",
        "{file}: a {}-bit key with e != 65537",
        group.key_size
    );
    let der = unhex(file, &group.private_key_pkcs8);
    let key = WrappingPrivateKey::from_pkcs8_der(&der)?;
    assert_eq!(Some(key.spec()), spec_for_bits(group.key_size), "{file}");
    Ok(key)
}

/// Decrypts with the `rsa` crate directly (any hash pair, any label): the reference that tells a
/// genuine vector from one our code merely refuses.
fn reference_decrypt(group: &OaepGroup, ct: &[u8], label: &[u8], rng: &mut ChaCha20Rng) -> Vec<u8> {
    use rsa::Oaep;
    use sha1::Sha1;
    use sha2::Sha256;
    let key = rsa::PrivateKey::from_pkcs8_der(&unhex("pkcs8", &group.private_key_pkcs8)).unwrap();
    let label = label.to_vec();
    let result = match (group.sha.as_str(), group.mgf_sha.as_str()) {
        ("SHA-1", "SHA-1") => key.decrypt_blinded(rng, Oaep::<Sha1>::new_with_label(label), ct),
        ("SHA-256", "SHA-256") => {
            key.decrypt_blinded(rng, Oaep::<Sha256>::new_with_label(label), ct)
        }
        ("SHA-256", "SHA-1") => key.decrypt_blinded(
            rng,
            Oaep::<Sha256, Sha1>::new_with_mgf_hash_and_label(label),
            ct,
        ),
        other => panic!("no reference decryption for {other:?}"),
    };
    result.expect("the reference implementation decrypts the vector")
}

/// Empty material is refused by `material::validate` for every key spec that takes material.
fn assert_empty_material_refused(id: &str, material: &[u8], rng: &mut ChaCha20Rng) {
    use kms_import::material::{self, MaterialReason};
    use kms_import::{KeySpec, Partition};
    for key_spec in [
        KeySpec::SymmetricDefault,
        KeySpec::Hmac256,
        KeySpec::EccNistP256,
    ] {
        match material::validate(Partition::Aws, key_spec, material, rng) {
            Err(Error::IncorrectKeyMaterial(r)) => {
                match key_spec.raw_material_len(Partition::Aws) {
                    // Raw material: the wrong length, 0 bytes; PKCS#8 material: empty.
                    Some(expected) => assert!(
                        matches!(
                            r.reason,
                            MaterialReason::Length { expected: e, actual: 0, .. } if e == expected
                        ),
                        "{id}: {key_spec}: {r:?}"
                    ),
                    None => assert_eq!(r.reason, MaterialReason::Empty, "{id}: {key_spec}"),
                }
            }
            other => panic!("{id}: {key_spec}: empty material not refused: {other:?}"),
        }
    }
}

/// Runs a group whose hash pair is a KMS algorithm.
fn run_kms_group(
    file: &str,
    group: &OaepGroup,
    algorithm: WrappingScheme,
    tally: &mut Tally,
    rng: &mut ChaCha20Rng,
) {
    let key = import_key(file, group).unwrap_or_else(|e| panic!("{file}: key refused: {e}"));
    for test in &group.tests {
        let id = format!("{file} tcId {} ({})", test.tc_id, test.comment);
        let ct = unhex(&id, &test.ct);
        let msg = unhex(&id, &test.msg);
        let label = unhex(&id, &test.label);
        let got = key.unwrap_key_material(algorithm, &ct, rng);
        match (test.result, label.is_empty(), msg.is_empty()) {
            (Expected::Invalid, true, _) => {
                assert_eq!(got.err(), Some(Error::InvalidCiphertext), "{id}");
                tally.add(INVALID);
            }
            (Expected::Valid | Expected::Acceptable, false, _) => {
                assert_eq!(
                    got.err(),
                    Some(Error::InvalidCiphertext),
                    "{id}: label must not be ignored"
                );
                assert_eq!(reference_decrypt(group, &ct, &label, rng), msg, "{id}");
                tally.add(LABEL);
            }
            (Expected::Valid, true, true) => {
                // API v2: the algorithm level returns the empty plaintext (it did decrypt); the
                // refusal moved to the material check (ImportKeyMaterial:
                // IncorrectKeyMaterialException, no longer InvalidCiphertextException).
                let material = got.unwrap_or_else(|e| panic!("{id}: empty material: {e}"));
                assert!(material.is_empty(), "{id}: empty material");
                assert_empty_material_refused(&id, material.as_bytes(), rng);
                assert_eq!(reference_decrypt(group, &ct, &[], rng), msg, "{id}");
                tally.add(EMPTY);
            }
            (Expected::Valid, true, false) => {
                let material = got.unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(material.as_bytes(), msg.as_slice(), "{id}");
                tally.add(DECRYPTED);
            }
            other => panic!("{id}: case not provided for: {other:?}"),
        }
    }
}

/// Runs a group that no KMS algorithm matches (at a KMS key size): every case must fail under both
/// OAEP algorithms. `reference` also checks, for SHA-256/MGF1-SHA1, that valid cases are genuine.
fn run_foreign_group(
    file: &str,
    group: &OaepGroup,
    bucket_valid: &'static str,
    reference: bool,
    tally: &mut Tally,
    rng: &mut ChaCha20Rng,
) {
    let key = import_key(file, group).unwrap_or_else(|e| panic!("{file}: key refused: {e}"));
    for test in &group.tests {
        let id = format!("{file} tcId {} ({})", test.tc_id, test.comment);
        let ct = unhex(&id, &test.ct);
        let label = unhex(&id, &test.label);
        for algorithm in [
            WrappingScheme::RsaesOaepSha256,
            WrappingScheme::RsaesOaepSha1,
        ] {
            let got = key.unwrap_key_material(algorithm, &ct, rng);
            assert_eq!(
                got.err(),
                Some(Error::InvalidCiphertext),
                "{id} under {algorithm}"
            );
        }
        match (test.result, label.is_empty()) {
            (Expected::Invalid, _) => tally.add(INVALID),
            (_, false) => tally.add(LABEL),
            (_, true) => tally.add(bucket_valid),
        }
        if reference && test.result == Expected::Valid {
            assert_eq!(
                reference_decrypt(group, &ct, &label, rng),
                unhex(&id, &test.msg),
                "{id}"
            );
        }
    }
}

/// A file whose groups all carry one KMS hash pair.
fn kms_file(relative: &str, seed: u64, expected: &[(&str, usize)]) {
    let file: WycheproofFile<OaepGroup> = load_json(relative);
    assert_eq!(file.algorithm, "RSAES-OAEP");
    let mut tally = Tally::new(relative);
    let mut rng = test_rng(seed);
    for group in &file.test_groups {
        let algorithm = kms_algorithm(&group.sha, &group.mgf_sha)
            .unwrap_or_else(|| panic!("{relative}: not a KMS hash pair"));
        run_kms_group(relative, group, algorithm, &mut tally, &mut rng);
    }
    tally.print();
    tally.assert_counts(expected, file.number_of_tests);
}

/// A file of SHA-256 OAEP with MGF1-SHA1.
fn mismatched_file(relative: &str, seed: u64, expected: &[(&str, usize)]) {
    let file: WycheproofFile<OaepGroup> = load_json(relative);
    let mut tally = Tally::new(relative);
    let mut rng = test_rng(seed);
    for group in &file.test_groups {
        assert_eq!(
            (group.sha.as_str(), group.mgf_sha.as_str()),
            ("SHA-256", "SHA-1")
        );
        run_foreign_group(relative, group, MGF_SHA1, true, &mut tally, &mut rng);
    }
    tally.print();
    tally.assert_counts(expected, file.number_of_tests);
}

const V1: &str = "wycheproof/testvectors_v1/";

#[test]
fn wycheproof_oaep_2048_sha1_mgf1sha1() {
    let path = format!("{V1}rsa_oaep_2048_sha1_mgf1sha1_test.json");
    kms_file(
        &path,
        1,
        &[(DECRYPTED, 9), (EMPTY, 1), (LABEL, 7), (INVALID, 19)],
    );
}

#[test]
fn wycheproof_oaep_2048_sha256_mgf1sha256() {
    let path = format!("{V1}rsa_oaep_2048_sha256_mgf1sha256_test.json");
    kms_file(
        &path,
        2,
        &[(DECRYPTED, 9), (EMPTY, 1), (LABEL, 8), (INVALID, 19)],
    );
}

#[test]
fn wycheproof_oaep_3072_sha256_mgf1sha256() {
    let path = format!("{V1}rsa_oaep_3072_sha256_mgf1sha256_test.json");
    kms_file(
        &path,
        3,
        &[(DECRYPTED, 9), (EMPTY, 1), (LABEL, 8), (INVALID, 19)],
    );
}

#[test]
fn wycheproof_oaep_4096_sha256_mgf1sha256() {
    let path = format!("{V1}rsa_oaep_4096_sha256_mgf1sha256_test.json");
    kms_file(
        &path,
        4,
        &[(DECRYPTED, 9), (EMPTY, 1), (LABEL, 8), (INVALID, 19)],
    );
}

#[test]
fn wycheproof_oaep_kms_subset_of_misc() {
    // Three cases per group, six groups: the only SHA-1 vectors for 3072 and 4096 bits.
    kms_file(
        "wycheproof/derived/rsa_oaep_kms_subset_from_misc.json",
        5,
        &[(DECRYPTED, 12), (EMPTY, 6)],
    );
}

#[test]
fn wycheproof_oaep_2048_sha256_mgf1sha1_is_refused() {
    let path = format!("{V1}rsa_oaep_2048_sha256_mgf1sha1_test.json");
    mismatched_file(&path, 6, &[(MGF_SHA1, 10), (LABEL, 3), (INVALID, 18)]);
}

#[test]
fn wycheproof_oaep_3072_sha256_mgf1sha1_is_refused() {
    let path = format!("{V1}rsa_oaep_3072_sha256_mgf1sha1_test.json");
    mismatched_file(&path, 7, &[(MGF_SHA1, 10), (LABEL, 3), (INVALID, 19)]);
}

#[test]
fn wycheproof_oaep_4096_sha256_mgf1sha1_is_refused() {
    let path = format!("{V1}rsa_oaep_4096_sha256_mgf1sha1_test.json");
    mismatched_file(&path, 8, &[(MGF_SHA1, 10), (LABEL, 3), (INVALID, 19)]);
}

/// The misc file: 128 groups of every size × hash × MGF1 hash. KMS groups run as above; keys of
/// another size must be refused on import; KMS-size keys with another hash pair must refuse every
/// ciphertext under both algorithms.
#[test]
fn wycheproof_oaep_misc() {
    let relative = format!("{V1}rsa_oaep_misc_test.json");
    let file: WycheproofFile<OaepGroup> = load_json(&relative);
    let subset: WycheproofFile<serde_json::Value> =
        load_json("wycheproof/derived/rsa_oaep_kms_subset_from_misc.json");
    let mut tally = Tally::new(&relative);
    let mut groups = Tally::new("rsa_oaep_misc_test.json groups");
    let mut rng = test_rng(9);
    let mut kms_groups_seen = Vec::new();
    for group in &file.test_groups {
        let kms = kms_algorithm(&group.sha, &group.mgf_sha);
        match (spec_for_bits(group.key_size), kms) {
            (None, _) => {
                let refused = import_key(&relative, group).err();
                assert!(
                    matches!(refused, Some(Error::InvalidKey(_))),
                    "{relative}: a {}-bit key must be refused, got {refused:?}",
                    group.key_size
                );
                for _ in &group.tests {
                    tally.add(SIZE_REFUSED);
                }
                groups.add(SIZE_REFUSED);
            }
            (Some(_), Some(algorithm)) => {
                run_kms_group(&relative, group, algorithm, &mut tally, &mut rng);
                kms_groups_seen.push(group.private_key_pkcs8.clone());
                groups.add("KMS hash pair");
            }
            (Some(_), None) => {
                run_foreign_group(&relative, group, OTHER_HASH, false, &mut tally, &mut rng);
                groups.add(OTHER_HASH);
            }
        }
    }
    tally.print();
    groups.print();
    tally.assert_counts(
        &[
            (DECRYPTED, 12),
            (EMPTY, 6),
            (SIZE_REFUSED, 185),
            (OTHER_HASH, 192),
        ],
        file.number_of_tests,
    );
    groups.assert_counts(
        &[("KMS hash pair", 6), (SIZE_REFUSED, 58), (OTHER_HASH, 64)],
        file.test_groups.len(),
    );
    // The derived file holds exactly these six groups.
    let subset_keys: Vec<String> = subset
        .test_groups
        .iter()
        .map(|g| g["privateKeyPkcs8"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(subset_keys, kms_groups_seen);
}
