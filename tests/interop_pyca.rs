//! Interop with Python `cryptography` (pyca), both directions, for every RSA wrapping algorithm ×
//! RSA wrapping key spec (interop).
//!
//! pyca → us: `tests/interop/pyca_tool.py` loads our DER SPKI with `load_der_public_key` and
//! encrypts as the AWS KMS developer guide's Python recipe does (`padding.OAEP` with MGF1 of the
//! same hash and no label; RSA_AES_KEY_WRAP: OAEP of a fresh AES-256 key followed by
//! `keywrap.aes_key_wrap_with_padding`); we unwrap. Us → pyca: we wrap, pyca decrypts with our
//! PKCS#8 (`load_der_private_key`). pyca must read our keys and we must read pyca's.
//!
//! pyca has no SM2 at all (`load_der_public_key` of an SM2 SPKI raises "Curve
//! 1.2.156.10197.1.301 is not supported", and there is no SM2 encryption), so SM2PKE is tested
//! only against OpenSSL in `tests/interop_openssl.rs`.
//!
//! One `python3` process per test (jobs go in as JSON on stdin). Skipped with a printed
//! `SKIPPED: ...` notice when `python3 -c "import cryptography"` fails; set
//! `KMS_IMPORT_REQUIRE_INTEROP=1` to make that a failure.

#[path = "interop/common.rs"]
mod common;

use std::sync::OnceLock;

use common::*;
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey, WrappingScheme};
use serde_json::{Value, json};

macro_rules! require_pyca {
    ($test:expr) => {
        if !pyca_available() {
            skip($test, "python3 with pyca cryptography not found");
            return;
        }
    };
}

/// Runs the jobs through `tests/interop/pyca_tool.py`, one result per job.
fn pyca(jobs: &[Value]) -> Vec<Value> {
    let crate_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = crate_root.join("tests/interop/pyca_tool.py");
    let input = serde_json::to_vec(jobs).expect("JSON");
    let out = run_with_stdin(
        "python3",
        &[script.to_str().expect("UTF-8 path")],
        crate_root,
        &input,
    );
    assert!(
        out.status.success(),
        "pyca_tool.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> =
        serde_json::from_slice(&out.stdout).expect("pyca_tool.py output is JSON");
    assert_eq!(results.len(), jobs.len(), "one result per job");
    results
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    let text = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {v}"));
    hex::decode(text).expect("hex")
}

fn public_der(spec: WrappingKeySpec) -> String {
    hex::encode(wrapping_key(spec).public_key().to_der())
}

fn private_der(spec: WrappingKeySpec) -> String {
    hex::encode(wrapping_key(spec).to_pkcs8_der().expect("PKCS#8 export"))
}

fn encrypt_job(alg: WrappingScheme, public_hex: &str, material: &[u8]) -> Value {
    json!({"op": "encrypt", "alg": alg.to_string(), "pub": public_hex, "material": hex::encode(material)})
}

fn decrypt_job(alg: WrappingScheme, private_hex: &str, ct: &[u8]) -> Value {
    json!({"op": "decrypt", "alg": alg.to_string(), "priv": private_hex, "ct": hex::encode(ct)})
}

/// Key material made by pyca: an ECC_NIST_P521 PKCS#8 and an RSA_4096 key pair (PKCS#8, SPKI).
struct Materials {
    p521: Vec<u8>,
    rsa4096: Vec<u8>,
    rsa4096_spki: Vec<u8>,
}

fn materials() -> &'static Materials {
    static MATERIALS: OnceLock<Materials> = OnceLock::new();
    MATERIALS.get_or_init(|| {
        let r = pyca(&[
            json!({"op": "gen_ec", "curve": "P-521"}),
            json!({"op": "gen_rsa", "bits": 4096}),
        ]);
        Materials {
            p521: hex_field(&r[0], "pkcs8"),
            rsa4096: hex_field(&r[1], "pkcs8"),
            rsa4096_spki: hex_field(&r[1], "spki"),
        }
    })
}

/// AES-256, HMAC_512 and, where it fits (not under RSA_2048), an ECC_NIST_P521 PKCS#8.
fn oaep_materials(spec: WrappingKeySpec) -> Vec<(&'static str, Vec<u8>)> {
    let mut list = vec![
        ("aes256", aes_256_material(21)),
        ("hmac512", hmac_512_material(22)),
    ];
    if spec != WrappingKeySpec::Rsa2048 {
        list.push(("p521-pkcs8", materials().p521.clone()));
    }
    list
}

/// A 32-byte key (mechanics), ECC_NIST_P521 and RSA_4096 PKCS#8, and the RFC 5649 padding edge
/// lengths (1..=9 covers the single-block case and both sides of a block boundary).
fn rsa_aes_materials() -> Vec<(String, Vec<u8>)> {
    let mut list = vec![
        ("aes256".to_string(), aes_256_material(23)),
        ("p521-pkcs8".to_string(), materials().p521.clone()),
        ("rsa4096-pkcs8".to_string(), materials().rsa4096.clone()),
    ];
    for len in [1, 7, 8, 9, 15, 16, 17] {
        list.push((format!("len{len}"), bytes_of_len(len, 24)));
    }
    list
}

fn assert_unwraps(
    key: &WrappingPrivateKey,
    alg: WrappingScheme,
    ct: &[u8],
    want: &[u8],
    seed: u64,
    what: &str,
) {
    let got = key
        .unwrap_key_material(alg, ct, &mut rng(seed))
        .unwrap_or_else(|e| panic!("{what}: we could not unwrap pyca's ciphertext: {e:?}"));
    assert!(got.ct_eq(want), "{what}: unwrapped material differs");
}

fn assert_pyca_decrypted(result: &Value, want: &[u8], what: &str) {
    assert!(
        result.get("error").is_none(),
        "{what}: pyca refused our ciphertext: {result}"
    );
    assert_eq!(hex_field(result, "material"), want, "{what}");
}

#[test]
fn pyca_reads_our_public_keys() {
    require_pyca!("pyca_reads_our_public_keys");
    notice(
        "pyca has no SM2 (curve or encryption): SM2 keys and SM2PKE are tested only against OpenSSL",
    );
    let jobs: Vec<Value> = RSA_SPECS
        .iter()
        .map(|&s| json!({"op": "pub_info", "der": public_der(s)}))
        .collect();
    for (spec, r) in RSA_SPECS.into_iter().zip(pyca(&jobs)) {
        assert_eq!(
            r["key_size"].as_u64(),
            Some(8 * modulus_len(spec) as u64),
            "{spec}: {r}"
        );
        assert_eq!(r["e"].as_u64(), Some(65537), "{spec}");
        assert_eq!(
            hex_field(&r, "spki"),
            wrapping_key(spec).public_key().to_der(),
            "{spec}: re-encoding"
        );
    }
}

#[test]
fn pyca_reads_our_private_keys() {
    require_pyca!("pyca_reads_our_private_keys");
    let jobs: Vec<Value> = RSA_SPECS
        .iter()
        .map(|&s| json!({"op": "priv_info", "der": private_der(s)}))
        .collect();
    for (spec, r) in RSA_SPECS.into_iter().zip(pyca(&jobs)) {
        assert_eq!(
            r["key_size"].as_u64(),
            Some(8 * modulus_len(spec) as u64),
            "{spec}: {r}"
        );
        assert_eq!(
            hex_field(&r, "spki"),
            wrapping_key(spec).public_key().to_der(),
            "{spec}: public half"
        );
    }
}

/// Keys pyca generated (`rsa.generate_private_key`, PKCS#8 and SPKI DER): we read them, and
/// they work both ways.
#[test]
fn we_read_pyca_generated_keys() {
    require_pyca!("we_read_pyca_generated_keys");
    let generated = pyca(&[
        json!({"op": "gen_rsa", "bits": 2048}),
        json!({"op": "gen_rsa", "bits": 3072}),
    ]);
    let m = materials();
    let keys: Vec<(WrappingKeySpec, Vec<u8>, Vec<u8>)> = vec![
        (
            WrappingKeySpec::Rsa2048,
            hex_field(&generated[0], "pkcs8"),
            hex_field(&generated[0], "spki"),
        ),
        (
            WrappingKeySpec::Rsa3072,
            hex_field(&generated[1], "pkcs8"),
            hex_field(&generated[1], "spki"),
        ),
        (
            WrappingKeySpec::Rsa4096,
            m.rsa4096.clone(),
            m.rsa4096_spki.clone(),
        ),
    ];
    let material = aes_256_material(25);
    let (oaep, rsa_aes) = (
        WrappingScheme::RsaesOaepSha256,
        WrappingScheme::RsaAesKeyWrapSha256,
    );
    let mut jobs = Vec::new();
    let mut imported = Vec::new();
    for (spec, pkcs8, spki) in &keys {
        let private = WrappingPrivateKey::from_pkcs8_der(pkcs8).expect("pyca PKCS#8 RSA key");
        let public = WrappingPublicKey::from_der(spki).expect("pyca SPKI RSA key");
        assert_eq!(private.spec(), *spec);
        assert_eq!(public.spec(), *spec);
        assert_eq!(
            &private.public_key().to_der(),
            spki,
            "{spec}: our SPKI of pyca's key"
        );
        let ours = public
            .wrap_key_material(rsa_aes, &m.p521, &mut rng(26))
            .expect("wrap");
        jobs.push(encrypt_job(oaep, &hex::encode(spki), &material));
        jobs.push(decrypt_job(rsa_aes, &hex::encode(pkcs8), &ours));
        imported.push(private);
    }
    let results = pyca(&jobs);
    for (((spec, _, _), private), r) in keys.iter().zip(&imported).zip(results.chunks(2)) {
        assert_unwraps(
            private,
            oaep,
            &hex_field(&r[0], "ct"),
            &material,
            27,
            &format!("{spec} pyca key, pyca→us"),
        );
        assert_pyca_decrypted(&r[1], &m.p521, &format!("{spec} pyca key, us→pyca"));
    }
}

#[test]
fn pyca_oaep_to_us() {
    require_pyca!("pyca_oaep_to_us");
    let mut cases = Vec::new();
    for spec in RSA_SPECS {
        let public = public_der(spec);
        for alg in OAEP_ALGS {
            for (name, material) in oaep_materials(spec) {
                cases.push((
                    spec,
                    alg,
                    name,
                    encrypt_job(alg, &public, &material),
                    material,
                ));
            }
        }
    }
    let results = pyca(&cases.iter().map(|c| c.3.clone()).collect::<Vec<_>>());
    for ((spec, alg, name, _, material), r) in cases.iter().zip(&results) {
        let ct = hex_field(r, "ct");
        assert_eq!(ct.len(), modulus_len(*spec));
        assert_unwraps(
            wrapping_key(*spec),
            *alg,
            &ct,
            material,
            28,
            &format!("{spec}-{alg}-{name}"),
        );
    }
}

#[test]
fn us_oaep_to_pyca() {
    require_pyca!("us_oaep_to_pyca");
    let mut cases = Vec::new();
    for spec in RSA_SPECS {
        let private = private_der(spec);
        let public = wrapping_key(spec).public_key();
        for alg in OAEP_ALGS {
            for (name, material) in oaep_materials(spec) {
                let ct = public
                    .wrap_key_material(alg, &material, &mut rng(29))
                    .expect("wrap");
                assert_eq!(ct.len(), modulus_len(spec));
                cases.push((
                    format!("{spec}-{alg}-{name}"),
                    decrypt_job(alg, &private, &ct),
                    material,
                ));
            }
        }
    }
    let results = pyca(&cases.iter().map(|c| c.1.clone()).collect::<Vec<_>>());
    for ((what, _, material), r) in cases.iter().zip(&results) {
        assert_pyca_decrypted(r, material, what);
    }
}

#[test]
fn pyca_rsa_aes_key_wrap_to_us() {
    require_pyca!("pyca_rsa_aes_key_wrap_to_us");
    let mut cases = Vec::new();
    for spec in RSA_SPECS {
        let public = public_der(spec);
        for alg in RSA_AES_ALGS {
            for (name, material) in rsa_aes_materials() {
                cases.push((
                    spec,
                    alg,
                    name,
                    encrypt_job(alg, &public, &material),
                    material,
                ));
            }
        }
    }
    let results = pyca(&cases.iter().map(|c| c.3.clone()).collect::<Vec<_>>());
    for ((spec, alg, name, _, material), r) in cases.iter().zip(&results) {
        let ct = hex_field(r, "ct");
        assert_unwraps(
            wrapping_key(*spec),
            *alg,
            &ct,
            material,
            30,
            &format!("{spec}-{alg}-{name}"),
        );
    }
}

#[test]
fn us_rsa_aes_key_wrap_to_pyca() {
    require_pyca!("us_rsa_aes_key_wrap_to_pyca");
    let mut cases = Vec::new();
    for spec in RSA_SPECS {
        let private = private_der(spec);
        let public = wrapping_key(spec).public_key();
        for alg in RSA_AES_ALGS {
            for (name, material) in rsa_aes_materials() {
                let ct = public
                    .wrap_key_material(alg, &material, &mut rng(31))
                    .expect("wrap");
                cases.push((
                    format!("{spec}-{alg}-{name}"),
                    decrypt_job(alg, &private, &ct),
                    material,
                ));
            }
        }
    }
    let results = pyca(&cases.iter().map(|c| c.1.clone()).collect::<Vec<_>>());
    for ((what, _, material), r) in cases.iter().zip(&results) {
        assert_pyca_decrypted(r, material, what);
    }
}

/// pyca's `OAEP(mgf=MGF1(SHA1()), algorithm=SHA256())` — Java's default for
/// "OAEPWithSHA-256AndMGF1Padding" — must be refused under the SHA-256 names; the control shows
/// pyca honours the MGF1 choice when decrypting ours.
#[test]
fn oaep_sha256_with_mgf1_sha1_is_refused() {
    require_pyca!("oaep_sha256_with_mgf1_sha1_is_refused");
    let spec = WrappingKeySpec::Rsa3072;
    let key = wrapping_key(spec);
    let material = aes_256_material(32);
    let (oaep, rsa_aes) = (
        WrappingScheme::RsaesOaepSha256,
        WrappingScheme::RsaAesKeyWrapSha256,
    );
    let mut jobs = Vec::new();
    for alg in [oaep, rsa_aes] {
        let mut job = encrypt_job(alg, &public_der(spec), &material);
        job["mgf1"] = json!("sha1");
        jobs.push(job);
    }
    let ours = key
        .public_key()
        .wrap_key_material(oaep, &material, &mut rng(33))
        .expect("wrap");
    let mut control = decrypt_job(oaep, &private_der(spec), &ours);
    control["mgf1"] = json!("sha1");
    jobs.push(control);
    let mut positive = decrypt_job(oaep, &private_der(spec), &ours);
    positive["mgf1"] = json!("sha256");
    jobs.push(positive);
    let r = pyca(&jobs);

    let got = key.unwrap_key_material(oaep, &hex_field(&r[0], "ct"), &mut rng(34));
    assert!(
        matches!(got, Err(Error::InvalidCiphertext)),
        "RSAES_OAEP_SHA_256 accepted MGF1-SHA-1: {got:?}"
    );
    let got = key.unwrap_key_material(rsa_aes, &hex_field(&r[1], "ct"), &mut rng(35));
    assert!(
        matches!(got, Err(Error::InvalidCiphertext)),
        "RSA_AES_KEY_WRAP_SHA_256 accepted MGF1-SHA-1: {got:?}"
    );
    assert!(
        r[2].get("error").is_some(),
        "control: pyca decrypted SHA-256/MGF1-SHA-256 as MGF1-SHA-1"
    );
    assert_pyca_decrypted(
        &r[3],
        &material,
        "control: pyca decrypts ours with MGF1-SHA-256",
    );
}

/// RSA ciphertexts whose first byte is zero (about 1 in 256): still k bytes, and accepted both
/// ways, for OAEP and for the RSA block of RSA_AES_KEY_WRAP.
#[test]
fn leading_zero_ciphertexts_both_ways() {
    require_pyca!("leading_zero_ciphertexts_both_ways");
    let material = aes_256_material(36);
    let mut jobs = Vec::new();
    let mut cases = Vec::new();
    for spec in RSA_SPECS {
        let k = modulus_len(spec);
        for alg in [
            WrappingScheme::RsaesOaepSha256,
            WrappingScheme::RsaAesKeyWrapSha1,
        ] {
            let mut job = encrypt_job(alg, &public_der(spec), &material);
            job["leading_zero"] = json!(true);
            jobs.push(job);
            let public = wrapping_key(spec).public_key();
            let ours = (0..20_000u64)
                .map(|seed| {
                    public
                        .wrap_key_material(alg, &material, &mut rng(seed))
                        .expect("wrap")
                })
                .find(|ct| ct[0] == 0)
                .expect("a ciphertext with a leading zero byte within 20000 tries");
            assert!(ours.len() >= k);
            jobs.push(decrypt_job(alg, &private_der(spec), &ours));
            cases.push((spec, alg));
        }
    }
    let results = pyca(&jobs);
    for ((spec, alg), r) in cases.iter().zip(results.chunks(2)) {
        let ct = hex_field(&r[0], "ct");
        assert_eq!(ct[0], 0, "pyca's ciphertext starts with zero");
        assert_unwraps(
            wrapping_key(*spec),
            *alg,
            &ct,
            &material,
            37,
            &format!("{spec}-{alg} leading zero, pyca→us"),
        );
        assert_pyca_decrypted(
            &r[1],
            &material,
            &format!("{spec}-{alg} leading zero, us→pyca"),
        );
    }
}
