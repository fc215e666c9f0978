//! The compatibility matrix, rule by rule, as the project's statement of the matrix and the AWS KMS developer guide give them.

use kms_import::matrix::{self, Grid, Reason, Refusal};
use kms_import::{KeySpec, MaterialKind, Partition, WrappingAlgorithm, WrappingKeySpec};

use KeySpec as K;
use Partition::{Aws, AwsCn, AwsUsGov};
use WrappingAlgorithm as A;
use WrappingKeySpec as W;

const RSA_WRAPPING: [W; 3] = [W::Rsa2048, W::Rsa3072, W::Rsa4096];
const OAEP: [A; 2] = [A::RsaesOaepSha1, A::RsaesOaepSha256];
const RSA_AES: [A; 2] = [A::RsaAesKeyWrapSha1, A::RsaAesKeyWrapSha256];

fn reason(p: Partition, a: A, w: W, k: K) -> Option<Reason> {
    matrix::check(p, a, w, k).err().map(|r: Refusal| r.reason)
}

fn allowed(p: Partition, a: A, w: W, k: K) -> bool {
    matrix::check(p, a, w, k).is_ok()
}

#[test]
fn oaep_takes_everything_but_rsa_private_keys() {
    for p in [Aws, AwsCn] {
        for a in OAEP {
            for w in [W::Rsa3072, W::Rsa4096] {
                for &k in K::ALL {
                    let expected = match k.material_kind() {
                        MaterialKind::Symmetric | MaterialKind::Hmac => true,
                        MaterialKind::EccPrivateKey => k != K::Sm2 || p == AwsCn,
                        MaterialKind::RsaPrivateKey | MaterialKind::NotImportable => false,
                    };
                    assert_eq!(allowed(p, a, w, k), expected, "{p} {a} {w} {k}");
                }
                assert_eq!(
                    reason(p, a, w, K::Rsa2048),
                    Some(Reason::MaterialKindNotSupported)
                );
            }
        }
    }
}

#[test]
fn p521_does_not_fit_an_oaep_block_of_rsa_2048_but_p384_does() {
    for a in OAEP {
        match reason(Aws, a, W::Rsa2048, K::EccNistP521) {
            Some(Reason::MaterialTooLongForOaep {
                material_len,
                limit,
            }) => {
                assert_eq!(material_len, 241);
                assert_eq!(limit, if a == A::RsaesOaepSha1 { 214 } else { 190 });
            }
            other => panic!("{a}: {other:?}"),
        }
        assert!(allowed(Aws, a, W::Rsa2048, K::EccNistP384));
        assert!(allowed(Aws, a, W::Rsa3072, K::EccNistP521));
    }
    let text = matrix::check(Aws, A::RsaesOaepSha256, W::Rsa2048, K::EccNistP521)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("190 bytes") && text.contains("RSA_AES_KEY_WRAP_SHA_256"),
        "{text}"
    );
}

#[test]
fn rsa_aes_takes_rsa_and_ecc_keys_outside_china_only() {
    for a in RSA_AES {
        for w in RSA_WRAPPING {
            for &k in K::ALL {
                let asym = matches!(
                    k.material_kind(),
                    MaterialKind::RsaPrivateKey | MaterialKind::EccPrivateKey
                );
                assert_eq!(allowed(Aws, a, w, k), asym && k != K::Sm2, "{a} {w} {k}");
                assert_eq!(
                    allowed(AwsUsGov, a, w, k),
                    asym && k != K::Sm2,
                    "{a} {w} {k}"
                );
                assert!(!allowed(AwsCn, a, w, k), "{a} {w} {k} in aws-cn");
            }
            assert_eq!(
                reason(AwsCn, a, w, K::Rsa2048),
                Some(Reason::AlgorithmNotInPartition)
            );
            assert_eq!(
                reason(Aws, a, w, K::SymmetricDefault),
                Some(Reason::MaterialKindNotSupported)
            );
        }
    }
}

#[test]
fn sm2pke_only_with_sm2_wrapping_keys_only_in_china_only_asymmetric() {
    for &k in K::ALL {
        let asym = matches!(
            k.material_kind(),
            MaterialKind::RsaPrivateKey | MaterialKind::EccPrivateKey
        );
        assert_eq!(allowed(AwsCn, A::Sm2Pke, W::Sm2, k), asym, "{k}");
        assert!(!allowed(Aws, A::Sm2Pke, W::Sm2, k));
        for w in RSA_WRAPPING {
            assert!(!allowed(AwsCn, A::Sm2Pke, w, k));
        }
        // ...and the SM2 wrapping key spec with nothing but SM2PKE.
        for a in OAEP.into_iter().chain(RSA_AES) {
            assert!(!allowed(AwsCn, a, W::Sm2, k), "{a} {k}");
        }
    }
    assert_eq!(
        reason(AwsCn, A::Sm2Pke, W::Rsa4096, K::EccNistP256),
        Some(Reason::WrappingKeySpecMismatch)
    );
    assert_eq!(
        reason(Aws, A::Sm2Pke, W::Sm2, K::EccNistP256),
        Some(Reason::WrappingKeySpecNotInPartition)
    );
}

#[test]
fn sm2_key_spec_exists_only_in_china() {
    assert_eq!(
        reason(Aws, A::RsaesOaepSha256, W::Rsa4096, K::Sm2),
        Some(Reason::KeySpecNotInPartition)
    );
    assert!(allowed(AwsCn, A::RsaesOaepSha256, W::Rsa4096, K::Sm2));
    assert!(allowed(AwsCn, A::Sm2Pke, W::Sm2, K::Sm2));
}

#[test]
fn pkcs1_v1_5_and_non_importable_key_specs_are_refused_everywhere() {
    for &p in Partition::ALL {
        for &w in W::ALL {
            for &k in K::ALL {
                assert_eq!(reason(p, A::RsaesPkcs1V15, w, k), Some(Reason::Deprecated));
            }
        }
        for k in [
            K::MlDsa44,
            K::MlDsa65,
            K::MlDsa87,
            K::MlKem768,
            K::EccNistEdwards25519,
        ] {
            for &a in A::ALL {
                for &w in W::ALL {
                    assert!(!allowed(p, a, w, k), "{p} {a} {w} {k}");
                }
            }
            assert_eq!(
                reason(p, A::RsaesOaepSha256, W::Rsa4096, k),
                Some(Reason::KeySpecNotImportable)
            );
        }
    }
    let text = matrix::check(Aws, A::RsaesPkcs1V15, W::Rsa2048, K::SymmetricDefault)
        .unwrap_err()
        .to_string();
    assert!(text.contains("deprecated since 2023-10-10"), "{text}");
}

#[test]
fn entries_cover_every_combination_once_and_agree_with_check() {
    for &p in Partition::ALL {
        let entries: Vec<_> = matrix::entries(p).collect();
        assert_eq!(entries.len(), A::ALL.len() * W::ALL.len() * K::ALL.len());
        for (a, w, k, verdict) in entries {
            assert_eq!(verdict, matrix::check(p, a, w, k));
        }
    }
    // Counted by hand from the rules: in `aws`, OAEP x 3 RSA keys x (1 + 4 + 4 ECC) minus the two
    // P-521/RSA_2048 cells, and RSA_AES x 3 x (3 RSA + 4 ECC).
    let allowed_aws = matrix::entries(Aws).filter(|e| e.3.is_ok()).count();
    assert_eq!(allowed_aws, 2 * 3 * 9 - 2 + 2 * 3 * 7);
    // In `aws-cn`, OAEP x 3 x (1 + 4 + 5 ECC incl. SM2) minus 2, and SM2PKE x (3 RSA + 5 ECC).
    let allowed_cn = matrix::entries(AwsCn).filter(|e| e.3.is_ok()).count();
    assert_eq!(allowed_cn, 2 * 3 * 10 - 2 + 8);
}

#[test]
fn grid_renders_every_key_spec_and_the_p521_exception() {
    let grid = Grid(Aws).to_string();
    for &k in K::ALL {
        assert!(
            grid.lines().any(|l| l.starts_with(k.as_str())),
            "{k} missing"
        );
    }
    let p521 = grid
        .lines()
        .find(|l| l.starts_with("ECC_NIST_P521"))
        .unwrap();
    assert!(p521.contains("| 3072 4096 "), "{p521}");
    let rsa = grid.lines().find(|l| l.starts_with("RSA_2048 ")).unwrap();
    assert_eq!(rsa.matches("2048 3072 4096").count(), 2, "{rsa}");
    assert!(
        Grid(AwsCn)
            .to_string()
            .lines()
            .any(|l| l.starts_with("SM2 ") && l.trim_end().ends_with("| SM2"))
    );
}
