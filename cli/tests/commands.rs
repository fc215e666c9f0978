//! The client-side commands through the built binary: success and refusal paths, exit codes,
//! file modes, atomic writes, key input forms.

mod common;

use common::*;
use predicates::prelude::*;

const RSA_ALGORITHMS: [&str; 4] = [
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
];

#[test]
fn create_wrapping_key_writes_spki_and_pkcs8_with_private_mode_0600() {
    let dir = Scratch::new("create");
    for spec in ["RSA_2048", "SM2"] {
        let (public, private) = create_wrapping_key(&dir, spec);
        let spki = dir.read(&public);
        let pkcs8 = dir.read(&private);
        assert_eq!(spki[0], 0x30, "{spec}: DER SEQUENCE");
        assert_eq!(pkcs8[0], 0x30, "{spec}: DER SEQUENCE");
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir.join(&private)), 0o600, "{spec}: private key mode");
            assert_ne!(
                mode(&dir.join(&public)) & 0o044,
                0,
                "{spec}: public key is readable"
            );
        }
    }
    // No temporary file is left behind.
    assert_eq!(
        dir.entries(),
        [
            "RSA_2048.key.der",
            "RSA_2048.pub.der",
            "SM2.key.der",
            "SM2.pub.der"
        ]
    );
}

#[test]
fn create_token_key_writes_32_bytes_mode_0600() {
    let dir = Scratch::new("token-key");
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success()
        .stdout("");
    let key = dir.read("tk");
    assert_eq!(key.len(), 32);
    assert_ne!(key, [0u8; 32]);
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("tk")), 0o600);
    kms(&dir)
        .args(["create-token-key", "--out", "tk2"])
        .assert()
        .success();
    assert_ne!(dir.read("tk2"), key, "each token key is fresh");
}

#[test]
fn usage_errors_exit_2() {
    let dir = Scratch::new("usage");
    // Unknown algorithm name: usage error listing the valid values.
    kms(&dir)
        .args(["check", "--wrapping-algorithm", "RSAES_OAEP_SHA_512"])
        .args(["--wrapping-key-spec", "RSA_2048", "--key-spec", "HMAC_256"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "valid values: RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1",
        ));
    // Names are case-sensitive, as on the wire.
    kms(&dir)
        .args(["check", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"])
        .args(["--wrapping-key-spec", "rsa_2048", "--key-spec", "HMAC_256"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown WrappingKeySpec"));
    kms(&dir)
        .args(["matrix", "--partition", "aws-eu"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aws, aws-cn, aws-us-gov"));
    // Missing argument, unknown command, unknown flag, bad timestamp.
    kms(&dir)
        .args(["wrap", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"])
        .assert()
        .code(2);
    kms(&dir).arg("frobnicate").assert().code(2);
    kms(&dir).args(["matrix", "--xml"]).assert().code(2);
    kms(&dir).assert().code(2);
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            "k",
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--token-key", "tk", "--now", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RFC 3339"));
    // Help and version are not errors.
    kms(&dir)
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("wrap"));
    kms(&dir).arg("--version").assert().success();
}

#[test]
fn check_prints_allowed_or_the_reason() {
    let dir = Scratch::new("check");
    kms(&dir)
        .args(["check", "--wrapping-algorithm", "RSA_AES_KEY_WRAP_SHA_256"])
        .args([
            "--wrapping-key-spec",
            "RSA_2048",
            "--key-spec",
            "ECC_NIST_P521",
        ])
        .assert()
        .success()
        .stdout("allowed\n");
    let out = kms(&dir)
        .args(["check", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"])
        .args([
            "--wrapping-key-spec",
            "RSA_2048",
            "--key-spec",
            "ECC_NIST_P521",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let reason = first_stderr_line(&out);
    assert!(
        reason.contains("does not fit in one RSAES_OAEP_SHA_256 block"),
        "{reason}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    // Partition rules: SM2PKE only in aws-cn, RSA_AES_KEY_WRAP not there.
    kms(&dir)
        .args([
            "check",
            "--wrapping-algorithm",
            "SM2PKE",
            "--wrapping-key-spec",
            "SM2",
        ])
        .args(["--key-spec", "SM2", "--partition", "aws-cn"])
        .assert()
        .success()
        .stdout("allowed\n");
    kms(&dir)
        .args([
            "check",
            "--wrapping-algorithm",
            "SM2PKE",
            "--wrapping-key-spec",
            "SM2",
        ])
        .args(["--key-spec", "ECC_NIST_P256"])
        .assert()
        .code(1)
        // API v2: the matrix's wording, with an alternative computed from the matrix (was "only
        // in the China Regions").
        .stderr(predicate::str::contains(
            "the SM2 wrapping key spec does not exist in aws; instead use",
        ));
    kms(&dir)
        .args(["check", "--wrapping-algorithm", "RSA_AES_KEY_WRAP_SHA_256"])
        .args(["--wrapping-key-spec", "RSA_4096", "--key-spec", "RSA_2048"])
        .args(["--partition", "aws-cn"])
        .assert()
        .code(1)
        // API v2: the matrix's wording; the same advice (SM2PKE with an SM2 wrapping key).
        .stderr(predicate::str::contains(
            "RSA_AES_KEY_WRAP_SHA_256 is not available in aws-cn; instead use SM2PKE with an SM2 \
             wrapping key",
        ));
}

#[test]
fn rsaes_pkcs1_v1_5_is_refused_with_the_deprecation_message_everywhere() {
    let dir = Scratch::new("pkcs1");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    dir.write("ct", &random(256));
    let alg = "RSAES_PKCS1_V1_5";
    let deprecated = predicate::str::contains("deprecated since 2023-10-10");
    kms(&dir)
        .args([
            "check",
            "--wrapping-algorithm",
            alg,
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--key-spec", "SYMMETRIC_DEFAULT"])
        .assert()
        .code(1)
        .stderr(deprecated.clone());
    kms(&dir)
        .args(["wrap", "--wrapping-algorithm", alg, "--public-key", &public])
        .args(["--key-material", "m", "--out", "out"])
        .assert()
        .code(1)
        .stderr(deprecated.clone());
    kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            alg,
            "--private-key",
            &private,
        ])
        .args(["--encrypted-key-material", "ct", "--out", "out"])
        .assert()
        .code(1)
        .stderr(deprecated.clone());
    assert!(!dir.exists("out"));
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
        ])
        .args([
            "--key-spec",
            "SYMMETRIC_DEFAULT",
            "--wrapping-algorithm",
            alg,
        ])
        .args(["--wrapping-key-spec", "RSA_2048", "--token-key", "tk"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("UnsupportedOperationException: ").and(deprecated));
}

#[test]
fn matrix_prints_grids_and_json() {
    let dir = Scratch::new("matrix");
    let out = kms(&dir)
        .arg("matrix")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    // API v2: all three partitions by default.
    assert!(
        text.contains("partition aws ")
            && text.contains("partition aws-cn")
            && text.contains("partition aws-us-gov")
    );
    assert!(text.contains("ECC_NIST_P521"));
    let out = kms(&dir)
        .args(["matrix", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let rows = rows.as_array().expect("an array");
    // 6 algorithms x 4 wrapping key specs x 20 key specs, in aws, aws-cn and (API v2: every
    // partition by default) aws-us-gov.
    assert_eq!(rows.len(), 3 * 6 * 4 * 20);
    for p in ["aws", "aws-cn", "aws-us-gov"] {
        assert_eq!(
            rows.iter().filter(|r| r["partition"] == p).count(),
            6 * 4 * 20,
            "{p}"
        );
    }
    let find = |p: &str, a: &str, w: &str, k: &str| {
        rows.iter()
            .find(|r| {
                r["partition"] == p
                    && r["wrapping_algorithm"] == a
                    && r["wrapping_key_spec"] == w
                    && r["key_spec"] == k
            })
            .unwrap_or_else(|| panic!("no row {p} {a} {w} {k}"))
    };
    let p521 = find("aws", "RSAES_OAEP_SHA_256", "RSA_2048", "ECC_NIST_P521");
    assert_eq!(p521["allowed"], false);
    assert!(p521["reason"].as_str().unwrap().contains("does not fit"));
    // API v2: each entry lists allowed alternatives; every one is itself an allowed row.
    let suggestions = p521["suggestions"].as_array().expect("suggestions");
    assert!(!suggestions.is_empty());
    for s in suggestions {
        let row = find(
            s["partition"].as_str().unwrap(),
            s["wrapping_algorithm"].as_str().unwrap(),
            s["wrapping_key_spec"].as_str().unwrap(),
            s["key_spec"].as_str().unwrap(),
        );
        assert_eq!(row["allowed"], true, "{s}");
    }
    let ok = find("aws-cn", "SM2PKE", "SM2", "SM2");
    assert_eq!(ok["allowed"], true);
    assert!(ok["reason"].is_null());
    assert_eq!(ok["suggestions"], serde_json::json!([]));
    for key in [
        "partition",
        "wrapping_algorithm",
        "wrapping_key_spec",
        "key_spec",
        "allowed",
        "reason",
        "suggestions",
    ] {
        assert!(ok.get(key).is_some(), "field {key}");
    }
    let out = kms(&dir)
        .args(["matrix", "--json", "--partition", "aws-cn"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6 * 4 * 20);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["partition"] == "aws-cn")
    );
}

#[test]
fn wrap_and_unwrap_round_trip_every_rsa_algorithm() {
    let dir = Scratch::new("roundtrip");
    let (public, private) = create_wrapping_key(&dir, "RSA_3072");
    let material = random(32);
    dir.write("m", &material);
    for alg in RSA_ALGORITHMS {
        // Arbitrary bytes through every algorithm: --no-check (unchecked, RSA_AES
        // would be refused for 32 bytes of raw material).
        kms(&dir)
            .args(["wrap", "--wrapping-algorithm", alg, "--public-key", &public])
            .args(["--key-material", "m", "--out", "ct", "--no-check"])
            .assert()
            .success()
            .stdout("");
        let ct = dir.read("ct");
        let expected_len = if alg.starts_with("RSAES") {
            384
        } else {
            384 + 40
        };
        assert_eq!(ct.len(), expected_len, "{alg}");
        kms(&dir)
            .args([
                "unwrap",
                "--wrapping-algorithm",
                alg,
                "--private-key",
                &private,
            ])
            // A secret output is replaced only with --force.
            .args(["--encrypted-key-material", "ct", "--out", "back", "--force"])
            .assert()
            .success()
            // The plaintext goes to the file only.
            .stdout("")
            .stderr("");
        assert_eq!(dir.read("back"), material, "{alg}");
        #[cfg(unix)]
        assert_eq!(
            mode(&dir.join("back")),
            0o600,
            "plaintext material is private"
        );
    }
}

#[test]
fn keys_are_read_as_der_pem_base64_or_json() {
    let dir = Scratch::new("forms");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    let spki = dir.read(&public);
    let pkcs8 = dir.read(&private);
    let b64 = |bytes: &[u8]| {
        use base64ct::{Base64, Encoding};
        Base64::encode_string(bytes)
    };
    let pem = |label: &str, bytes: &[u8]| {
        let body = b64(bytes);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    };
    dir.write("pub.b64", format!("{}\n", b64(&spki)).as_bytes());
    dir.write("pub.pem", pem("PUBLIC KEY", &spki).as_bytes());
    dir.write(
        "params.json",
        format!("{{\"KeyId\": \"k\", \"PublicKey\": \"{}\"}}", b64(&spki)).as_bytes(),
    );
    // Private key files must be private.
    chmod_600(&dir.write("key.b64", b64(&pkcs8).as_bytes()));
    chmod_600(&dir.write("key.pem", pem("PRIVATE KEY", &pkcs8).as_bytes()));
    let material = random(48);
    dir.write("m", &material);
    for public in [public.as_str(), "pub.b64", "pub.pem", "params.json"] {
        kms(&dir)
            .args([
                "wrap",
                "--wrapping-algorithm",
                "RSAES_OAEP_SHA_256",
                "--public-key",
                public,
            ])
            .args(["--key-material", "m", "--out", "ct"])
            .assert()
            .success();
        for private in [private.as_str(), "key.b64", "key.pem"] {
            kms(&dir)
                .args(["unwrap", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"])
                .args([
                    "--private-key",
                    private,
                    "--encrypted-key-material",
                    "ct",
                    "--out",
                    "back",
                    "--force",
                ])
                .assert()
                .success();
            assert_eq!(dir.read("back"), material, "{public} / {private}");
        }
    }
    // A PKCS#1 PEM is refused with a hint; garbage is refused; both exit 1.
    chmod_600(&dir.write("rsa.pem", pem("RSA PRIVATE KEY", &pkcs8).as_bytes()));
    kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--private-key",
            "rsa.pem",
        ])
        .args(["--encrypted-key-material", "ct", "--out", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("openssl pkcs8 -topk8"));
    dir.write("junk", b"\x01\x02 not a key \xff");
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            "junk",
        ])
        .args(["--key-material", "m", "--out", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("junk"));
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            "missing",
        ])
        .args(["--key-material", "m", "--out", "x"])
        .assert()
        .code(1);
    assert!(!dir.exists("x"));
}

#[test]
fn wrap_with_key_spec_refuses_what_kms_would_refuse() {
    let dir = Scratch::new("wrap-refuse");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    // The matrix: ECC_NIST_P521 does not fit RSAES_OAEP_SHA_256 under RSA_2048.
    sample_material(&dir, "ECC_NIST_P521", "aws", "p521");
    let wrap = |alg: &str, material: &str, key_spec: &str| {
        let mut cmd = kms(&dir);
        cmd.args(["wrap", "--wrapping-algorithm", alg, "--public-key", &public])
            .args([
                "--key-material",
                material,
                "--out",
                "ct",
                "--key-spec",
                key_spec,
            ]);
        cmd
    };
    wrap("RSAES_OAEP_SHA_256", "p521", "ECC_NIST_P521")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("RSA_AES_KEY_WRAP_SHA_256"));
    assert!(!dir.exists("ct"));
    wrap("RSA_AES_KEY_WRAP_SHA_256", "p521", "ECC_NIST_P521")
        .assert()
        .success();
    std::fs::remove_file(dir.join("ct")).unwrap();
    // The material: HMAC_256 takes exactly 32 bytes; a P-521 key is not a P-384 key.
    dir.write("short", &random(31));
    // API v2 wording: the refusal names the key spec ("incorrect HMAC_256 key material: ...").
    wrap("RSAES_OAEP_SHA_256", "short", "HMAC_256")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("incorrect HMAC_256 key material"));
    wrap("RSA_AES_KEY_WRAP_SHA_256", "p521", "ECC_NIST_P384")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "incorrect ECC_NIST_P384 key material",
        ));
    assert!(!dir.exists("ct"));
    // This contract changed: without --key-spec the same bytes are checked too (31
    // bytes fit no key spec, and the message says how many it got); --no-check wraps them.
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "short", "--out", "ct"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "31 bytes of key material fit no key spec",
        ));
    assert!(!dir.exists("ct"));
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "short", "--out", "ct", "--no-check"])
        .assert()
        .success();
    // Material that cannot fit one OAEP block is refused even unchecked, with the limit.
    dir.write("long", &random(300));
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "long", "--out", "ct2", "--no-check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("at most 190 bytes"));
    assert!(!dir.exists("ct2"));
    // An algorithm for another kind of wrapping key.
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "SM2PKE",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "short", "--out", "ct2"])
        .assert()
        .code(1)
        // API v2 wording: "an RSA_2048".
        .stderr(predicate::str::contains(
            "cannot be used with an RSA_2048 wrapping key",
        ));
}

#[test]
fn unwrap_refuses_tampered_ciphertext_opaquely() {
    let dir = Scratch::new("tamper");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    for alg in ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256"] {
        // --no-check: wrap refuses 32 raw bytes under RSA_AES unless told not to check.
        kms(&dir)
            .args(["wrap", "--wrapping-algorithm", alg, "--public-key", &public])
            .args(["--key-material", "m", "--out", "ct", "--no-check"])
            .assert()
            .success();
        let mut ct = dir.read("ct");
        let last = ct.len() - 1;
        ct[last] ^= 1;
        dir.write("bad", &ct);
        let stderr = kms(&dir)
            .args([
                "unwrap",
                "--wrapping-algorithm",
                alg,
                "--private-key",
                &private,
            ])
            .args(["--encrypted-key-material", "bad", "--out", "back"])
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone();
        assert_eq!(
            String::from_utf8_lossy(&stderr),
            "the encrypted key material could not be decrypted\n",
            "{alg}"
        );
        assert!(!dir.exists("back"));
    }
}

#[test]
fn outputs_are_atomic_and_nothing_is_left_on_error() {
    let dir = Scratch::new("atomic");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    let before = dir.entries();
    // A directory that does not exist.
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "m", "--out", "no/such/dir/ct"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write no/such/dir/ct"));
    // A target that is a directory: never replaced. The contract changed from exit 1
    // (the rename failed after the temporary file was written) to exit 2 with the reason,
    // before anything is written.
    std::fs::create_dir(dir.join("adir")).unwrap();
    std::fs::write(dir.join("adir").join("keep"), b"x").unwrap();
    kms(&dir)
        .args(["create-token-key", "--out", "adir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("adir: a directory"));
    assert_eq!(std::fs::read_dir(dir.join("adir")).unwrap().count(), 1);
    let mut after = dir.entries();
    after.retain(|n| n != "adir");
    assert_eq!(after, before, "no temporary file left behind");
    // A key pair whose second file cannot be written leaves neither.
    kms(&dir)
        .args(["create-wrapping-key", "--wrapping-key-spec", "SM2"])
        .args([
            "--public-key-out",
            "no/such/dir/pub",
            "--private-key-out",
            "sm2.key",
        ])
        .assert()
        .code(1);
    assert!(!dir.exists("sm2.key"));
    let mut after = dir.entries();
    after.retain(|n| n != "adir");
    assert_eq!(after, before);
    // An existing output is replaced whole.
    dir.write("ct", b"old contents");
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--public-key",
            &public,
        ])
        .args(["--key-material", "m", "--out", "ct"])
        .assert()
        .success();
    assert_eq!(dir.read("ct").len(), 256);
}

#[cfg(unix)]
#[test]
fn unwritable_directory_exits_1_and_leaves_no_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("readonly");
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores directory permissions; then this case cannot be made here.
    if std::fs::write(ro.join("probe"), b"").is_ok() {
        eprintln!("SKIPPED: running as root, a read-only directory is writable");
        let _ = std::fs::remove_file(ro.join("probe"));
        return;
    }
    kms(&dir)
        .args(["create-token-key", "--out", "ro/tk"])
        .assert()
        .code(1);
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn sample_material_fits_its_key_spec() {
    let dir = Scratch::new("sample");
    for (ks, partition, len) in [
        ("SYMMETRIC_DEFAULT", "aws", Some(32)),
        ("SYMMETRIC_DEFAULT", "aws-cn", Some(16)),
        ("HMAC_224", "aws", Some(28)),
        ("HMAC_512", "aws", Some(64)),
        ("ECC_SECG_P256K1", "aws", None),
        ("SM2", "aws-cn", None),
    ] {
        let m = sample_material(&dir, ks, partition, "m");
        if let Some(len) = len {
            assert_eq!(m.len(), len, "{ks}");
        } else {
            assert_eq!(m[0], 0x30, "{ks}: PKCS#8 DER");
        }
        #[cfg(unix)]
        assert_eq!(mode(&dir.join("m")), 0o600);
    }
    kms(&dir)
        .args(["sample-material", "--key-spec", "ML_DSA_44", "--out", "m2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot receive imported key material",
        ));
    // API v2: a key spec that does not exist in the partition is refused too (SM2 outside aws-cn).
    kms(&dir)
        .args(["sample-material", "--key-spec", "SM2", "--partition", "aws"])
        .args(["--out", "m3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the SM2 key spec does not exist in aws",
        ));
    assert!(!dir.exists("m2") && !dir.exists("m3"));
}

#[test]
fn piped_stdout_closed_early_is_not_a_crash() {
    let dir = Scratch::new("pipe");
    let bin = assert_cmd::cargo::cargo_bin!("kms-import");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' matrix --json | head -c 10 >/dev/null; echo ${{PIPESTATUS:-ok}}",
            bin.display()
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
