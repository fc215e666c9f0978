//! OpenSSL interop through the CLI, both directions, for every wrapping algorithm x wrapping key
//! spec: OpenSSL encrypts under the public key `create-wrapping-key` wrote and `kms-import unwrap`
//! decrypts; `kms-import wrap` encrypts and OpenSSL decrypts with the private key it wrote.
//! These are the commands of the AWS guide's OpenSSL procedure. Skipped with a notice when
//! `openssl` (3.x) is missing.

mod common;

use common::*;

const OAEP: [(&str, &str); 2] = [
    ("RSAES_OAEP_SHA_1", "sha1"),
    ("RSAES_OAEP_SHA_256", "sha256"),
];
const RSA_AES: [(&str, &str); 2] = [
    ("RSA_AES_KEY_WRAP_SHA_1", "sha1"),
    ("RSA_AES_KEY_WRAP_SHA_256", "sha256"),
];

/// `openssl pkeyutl` options for RSAES-OAEP with `md` as both the OAEP and the MGF1 hash.
fn oaep_opts(md: &str) -> Vec<String> {
    vec![
        "-pkeyopt".into(),
        "rsa_padding_mode:oaep".into(),
        "-pkeyopt".into(),
        format!("rsa_oaep_md:{md}"),
        "-pkeyopt".into(),
        format!("rsa_mgf1_md:{md}"),
    ]
}

fn run_openssl(dir: &Scratch, args: &[&str], extra: &[String]) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    openssl_ok(dir, &all);
}

fn unwrap_with_cli(dir: &Scratch, alg: &str, private: &str, ct: &str) -> Vec<u8> {
    kms(dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            alg,
            "--private-key",
            private,
        ])
        .args(["--encrypted-key-material", ct, "--out", "back"])
        .assert()
        .success();
    let back = dir.read("back");
    std::fs::remove_file(dir.join("back")).unwrap();
    back
}

fn wrap_with_cli(dir: &Scratch, alg: &str, public: &str, material: &str) -> Vec<u8> {
    // The materials are every length (KWP padding cases), not one key spec's: --no-check, which
    // the wrap checks made necessary for lengths no key spec takes.
    kms(dir)
        .args(["wrap", "--wrapping-algorithm", alg, "--public-key", public])
        .args(["--key-material", material, "--out", "ct", "--no-check"])
        .assert()
        .success();
    dir.read("ct")
}

/// Materials of several lengths: KWP padding cases (1, 8, 9 bytes), symmetric and HMAC sizes, and
/// a P-384 PKCS#8 key; `max` bounds them for OAEP.
fn materials(dir: &Scratch, max: usize) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = [1usize, 8, 9, 16, 32, 64]
        .iter()
        .map(|&n| (format!("{n} bytes"), random(n)))
        .collect();
    out.push((
        "P-384 PKCS#8".into(),
        sample_material(dir, "ECC_NIST_P384", "aws", "p384"),
    ));
    out.push(("1000 bytes".into(), random(1000)));
    out.retain(|(_, m)| m.len() <= max);
    out
}

fn rsa_interop(spec: &str, k: usize) {
    let dir = Scratch::new(&format!("openssl-{spec}"));
    let (public, private) = create_wrapping_key(&dir, spec);
    for (alg, md) in OAEP {
        let limit = k - 2 * if md == "sha1" { 20 } else { 32 } - 2;
        for (name, material) in materials(&dir, limit) {
            let what = format!("{spec} {alg} {name}");
            dir.write("m", &material);
            // OpenSSL -> kms-import unwrap.
            run_openssl(
                &dir,
                &[
                    "pkeyutl", "-encrypt", "-pubin", "-inkey", &public, "-keyform", "DER",
                ],
                &[
                    oaep_opts(md),
                    vec!["-in".into(), "m".into(), "-out".into(), "ct-ossl".into()],
                ]
                .concat(),
            );
            assert_eq!(
                unwrap_with_cli(&dir, alg, &private, "ct-ossl"),
                material,
                "{what}"
            );
            // kms-import wrap -> OpenSSL.
            let ct = wrap_with_cli(&dir, alg, &public, "m");
            assert_eq!(ct.len(), k, "{what}");
            run_openssl(
                &dir,
                &["pkeyutl", "-decrypt", "-inkey", &private, "-keyform", "DER"],
                &[
                    oaep_opts(md),
                    vec!["-in".into(), "ct".into(), "-out".into(), "back-ossl".into()],
                ]
                .concat(),
            );
            assert_eq!(dir.read("back-ossl"), material, "{what}");
        }
    }
    for (alg, md) in RSA_AES {
        for (name, material) in materials(&dir, usize::MAX) {
            let what = format!("{spec} {alg} {name}");
            dir.write("m", &material);
            // OpenSSL -> kms-import unwrap: OAEP of an ephemeral AES-256 key, then
            // `openssl enc -id-aes256-wrap-pad` (RFC 5649 KWP) of the material, concatenated.
            let aes = random(32);
            dir.write("aes", &aes);
            run_openssl(
                &dir,
                &[
                    "pkeyutl", "-encrypt", "-pubin", "-inkey", &public, "-keyform", "DER",
                ],
                &[
                    oaep_opts(md),
                    vec!["-in".into(), "aes".into(), "-out".into(), "ct1".into()],
                ]
                .concat(),
            );
            let aes_hex = hex(&aes);
            openssl_ok(
                &dir,
                &[
                    "enc",
                    "-id-aes256-wrap-pad",
                    "-K",
                    &aes_hex,
                    "-iv",
                    "A65959A6",
                    "-in",
                    "m",
                    "-out",
                    "ct2",
                ],
            );
            let mut ct = dir.read("ct1");
            assert_eq!(ct.len(), k);
            ct.extend(dir.read("ct2"));
            dir.write("ct-ossl", &ct);
            assert_eq!(
                unwrap_with_cli(&dir, alg, &private, "ct-ossl"),
                material,
                "{what}"
            );
            // kms-import wrap -> OpenSSL: split at k, recover the AES key, unwrap with KWP.
            let ct = wrap_with_cli(&dir, alg, &public, "m");
            assert_eq!(ct.len(), k + (material.len().div_ceil(8) * 8 + 8), "{what}");
            dir.write("w1", &ct[..k]);
            dir.write("w2", &ct[k..]);
            run_openssl(
                &dir,
                &["pkeyutl", "-decrypt", "-inkey", &private, "-keyform", "DER"],
                &[
                    oaep_opts(md),
                    vec!["-in".into(), "w1".into(), "-out".into(), "aes-back".into()],
                ]
                .concat(),
            );
            let aes_back = dir.read("aes-back");
            assert_eq!(aes_back.len(), 32, "{what}");
            openssl_ok(
                &dir,
                &[
                    "enc",
                    "-d",
                    "-id-aes256-wrap-pad",
                    "-K",
                    &hex(&aes_back),
                    "-iv",
                    "A65959A6",
                    "-in",
                    "w2",
                    "-out",
                    "back-ossl",
                ],
            );
            assert_eq!(dir.read("back-ossl"), material, "{what}");
        }
    }
}

#[test]
fn openssl_interop_rsa_2048() {
    require_openssl!();
    rsa_interop("RSA_2048", 256);
}

#[test]
fn openssl_interop_rsa_3072() {
    require_openssl!();
    rsa_interop("RSA_3072", 384);
}

#[test]
fn openssl_interop_rsa_4096() {
    require_openssl!();
    rsa_interop("RSA_4096", 512);
}

#[test]
fn openssl_interop_sm2pke() {
    require_openssl!();
    let dir = Scratch::new("openssl-sm2");
    let (public, private) = create_wrapping_key(&dir, "SM2");
    let mut cases = materials(&dir, usize::MAX);
    cases.push((
        "SM2 PKCS#8".into(),
        sample_material(&dir, "SM2", "aws-cn", "sm2"),
    ));
    for (name, material) in cases {
        let what = format!("SM2PKE {name}");
        dir.write("m", &material);
        // OpenSSL -> kms-import unwrap (GM/T 0009 DER ciphertext).
        openssl_ok(
            &dir,
            &[
                "pkeyutl", "-encrypt", "-pubin", "-inkey", &public, "-keyform", "DER", "-in", "m",
                "-out", "ct-ossl",
            ],
        );
        assert_eq!(
            unwrap_with_cli(&dir, "SM2PKE", &private, "ct-ossl"),
            material,
            "{what}"
        );
        // kms-import wrap -> OpenSSL.
        wrap_with_cli(&dir, "SM2PKE", &public, "m");
        openssl_ok(
            &dir,
            &[
                "pkeyutl",
                "-decrypt",
                "-inkey",
                &private,
                "-keyform",
                "DER",
                "-in",
                "ct",
                "-out",
                "back-ossl",
            ],
        );
        assert_eq!(dir.read("back-ossl"), material, "{what}");
    }
}

/// A key pair OpenSSL generated (PEM) works with the CLI, and keys the CLI wrote are read by OpenSSL.
#[test]
fn openssl_keys_and_ours_are_interchangeable() {
    require_openssl!();
    let dir = Scratch::new("openssl-keys");
    openssl_ok(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "ossl.pem",
        ],
    );
    openssl_ok(
        &dir,
        &["pkey", "-in", "ossl.pem", "-pubout", "-out", "ossl.pub.pem"],
    );
    dir.write("m", &random(32));
    wrap_with_cli(&dir, "RSAES_OAEP_SHA_256", "ossl.pub.pem", "m");
    assert_eq!(
        unwrap_with_cli(&dir, "RSAES_OAEP_SHA_256", "ossl.pem", "ct"),
        dir.read("m")
    );
    let (public, private) = create_wrapping_key(&dir, "RSA_3072");
    openssl_ok(
        &dir,
        &["pkey", "-pubin", "-inform", "DER", "-in", &public, "-noout"],
    );
    openssl_ok(&dir, &["pkey", "-inform", "DER", "-in", &private, "-noout"]);
}
