//! Turns the JSON vectors of `test-vectors/` into Rust statics (`$OUT_DIR/vectors.rs`) so the
//! image parses no JSON, and puts `memory.x` where cortex-m-rt's `link.x` finds it.
//!
//! Which vectors, and why (README "On a Cortex-M4"):
//! - Wycheproof RSAES-OAEP with the KMS hash pairs: `rsa_oaep_2048_sha1_mgf1sha1`,
//!   `rsa_oaep_{2048,3072,4096}_sha256_mgf1sha256`, and the derived KMS subset of the misc file
//!   (the only SHA-1 vectors at 3072 and 4096 bits); every case.
//! - Wycheproof `rsa_oaep_{2048,3072,4096}_sha256_mgf1sha1` (Java's default MGF1): every case must
//!   fail under `RSAES_OAEP_SHA_256`.
//! - Not `rsa_oaep_misc_test.json`: 395 cases up to 8192 bits, 192 of them with hash pairs KMS
//!   does not have (each tried under both algorithms); the host runs it (`tests/kat_rsa_oaep.rs`)
//!   and its KMS groups are the derived subset above.
//! - Wycheproof AES-KWP, the 94 cases with a 256-bit KEK (KMS's only KEK size), and the 53 NIST
//!   CAVP AES-256 KWP cases.
//! - The SM2PKE KATs on sm2p256v1 with SM3 (the test-curve vectors are skipped, as on the host).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::copy(manifest.join("memory.x"), out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    let vectors = manifest.join("../../test-vectors");
    println!("cargo:rerun-if-changed={}", vectors.display());

    let mut src = String::new();
    oaep(&vectors, &mut src);
    kwp(&vectors, &mut src);
    sm2(&vectors, &mut src);
    std::fs::write(out.join("vectors.rs"), src).unwrap();
}

fn load(path: &Path) -> Value {
    println!("cargo:rerun-if-changed={}", path.display());
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key}"))
}

fn bytes(hex: &str) -> String {
    assert!(hex.len().is_multiple_of(2), "odd hex length");
    let mut out = String::from("&[");
    for i in (0..hex.len()).step_by(2) {
        let b = u8::from_str_radix(&hex[i..i + 2], 16).expect("hex");
        write!(out, "{b},").unwrap();
    }
    out.push(']');
    out
}

fn oaep(dir: &Path, src: &mut String) {
    const V1: &str = "wycheproof/testvectors_v1/";
    let files = [
        (format!("{V1}rsa_oaep_2048_sha1_mgf1sha1_test.json"), true),
        (
            format!("{V1}rsa_oaep_2048_sha256_mgf1sha256_test.json"),
            true,
        ),
        (
            format!("{V1}rsa_oaep_3072_sha256_mgf1sha256_test.json"),
            true,
        ),
        (
            format!("{V1}rsa_oaep_4096_sha256_mgf1sha256_test.json"),
            true,
        ),
        (
            "wycheproof/derived/rsa_oaep_kms_subset_from_misc.json".into(),
            true,
        ),
        (
            format!("{V1}rsa_oaep_2048_sha256_mgf1sha1_test.json"),
            false,
        ),
        (
            format!("{V1}rsa_oaep_3072_sha256_mgf1sha1_test.json"),
            false,
        ),
        (
            format!("{V1}rsa_oaep_4096_sha256_mgf1sha1_test.json"),
            false,
        ),
    ];
    src.push_str("pub static OAEP: &[OaepGroup] = &[\n");
    for (file, kms_pair) in files {
        let json = load(&dir.join(&file));
        let name = file.rsplit('/').next().unwrap().trim_end_matches(".json");
        for group in json["testGroups"].as_array().unwrap() {
            let bits = group["keySize"].as_u64().unwrap();
            let sha = s(group, "sha");
            let mgf = s(group, "mgfSha");
            let algorithm = match (sha, mgf) {
                ("SHA-1", "SHA-1") => "Some(WrappingScheme::RsaesOaepSha1)",
                ("SHA-256", "SHA-256") => "Some(WrappingScheme::RsaesOaepSha256)",
                _ => "None",
            };
            assert_eq!(kms_pair, algorithm != "None", "{file}: {sha}/{mgf}");
            writeln!(
                src,
                "OaepGroup {{ file: {name:?}, bits: {bits}, algorithm: {algorithm}, pkcs8: {}, cases: &[",
                bytes(s(group, "privateKeyPkcs8"))
            )
            .unwrap();
            for t in group["tests"].as_array().unwrap() {
                writeln!(
                    src,
                    "OaepCase {{ tc_id: {}, msg: {}, ct: {}, label_empty: {}, invalid: {} }},",
                    t["tcId"],
                    bytes(s(t, "msg")),
                    bytes(s(t, "ct")),
                    s(t, "label").is_empty(),
                    s(t, "result") == "invalid"
                )
                .unwrap();
            }
            src.push_str("]},\n");
        }
    }
    src.push_str("];\n");
}

fn kwp(dir: &Path, src: &mut String) {
    src.push_str("pub static KWP: &[KwpCase] = &[\n");
    let wycheproof = load(&dir.join("wycheproof/testvectors_v1/aes_kwp_test.json"));
    for group in wycheproof["testGroups"].as_array().unwrap() {
        if group["keySize"].as_u64() != Some(256) {
            continue;
        }
        for t in group["tests"].as_array().unwrap() {
            let valid = s(t, "result") != "invalid";
            writeln!(
                src,
                "KwpCase {{ source: \"wycheproof aes_kwp\", tc_id: {}, kek: {}, msg: {}, ct: {}, valid: {valid}, wrap: {valid} }},",
                t["tcId"],
                bytes(s(t, "key")),
                bytes(s(t, "msg")),
                bytes(s(t, "ct")),
            )
            .unwrap();
        }
    }
    let nist = load(&dir.join("nist_cavp_kwp_aes256.json"));
    for t in nist["tests"].as_array().unwrap() {
        let valid = s(t, "result") != "invalid";
        writeln!(
            src,
            "KwpCase {{ source: \"NIST CAVP KWP-256\", tc_id: {}, kek: {}, msg: {}, ct: {}, valid: {valid}, wrap: {} }},",
            t["tcId"],
            bytes(s(t, "key")),
            bytes(t["msg"].as_str().unwrap_or("")),
            bytes(s(t, "ct")),
            valid && s(t, "direction").starts_with("wrap")
        )
        .unwrap();
    }
    src.push_str("];\n");
}

fn sm2(dir: &Path, src: &mut String) {
    let kat = load(&dir.join("sm2_encryption_kat.json"));
    // Read only with the `sm2` feature.
    src.push_str("#[allow(dead_code)]\npub static SM2: &[Sm2Kat] = &[\n");
    for v in kat["vectors"].as_array().unwrap() {
        if s(v, "curve") != "sm2p256v1" || s(v, "hash") != "SM3" {
            continue;
        }
        let k = match v["k"].as_str() {
            Some(k) => format!("Some({})", bytes(k)),
            None => "None".into(),
        };
        writeln!(
            src,
            "Sm2Kat {{ id: {:?}, private_key: {}, plaintext: {}, k: {k}, der: {} }},",
            s(v, "id"),
            bytes(s(v, "private_key")),
            bytes(s(v, "plaintext")),
            bytes(s(&v["ciphertext"], "asn1_der_gmt0009"))
        )
        .unwrap();
    }
    src.push_str("];\n");
}
