//! The matrix's own rules: every suggestion allowed where given, and the reported contradictions.
use super::*;
use alloc::string::ToString;

/// Every refused combination of every partition: each alternative offered is allowed, for
/// the same key spec, in the partition it names, and the text names exactly those.
#[test]
fn every_suggestion_is_allowed_where_it_is_given() {
    let mut refused = 0;
    let mut with_suggestion = 0;
    for &partition in Partition::ALL {
        for (alg, wks, ks, verdict) in entries(partition) {
            let Err(refusal) = verdict else { continue };
            refused += 1;
            let text = refusal.to_string();
            let mut count = 0;
            for s in refusal.suggestions() {
                count += 1;
                assert_eq!(s.key_spec, ks);
                assert_eq!(
                    check(
                        s.partition,
                        s.wrapping_algorithm,
                        s.wrapping_key_spec,
                        s.key_spec
                    ),
                    Ok(()),
                    "{partition} {alg} {wks} {ks}: suggests {s:?}"
                );
                assert!(
                    text.contains(&alloc::format!(
                        "{} with an {} wrapping key",
                        s.wrapping_algorithm,
                        s.wrapping_key_spec
                    )),
                    "{text}"
                );
                if s.partition != partition {
                    assert!(
                        text.contains(&alloc::format!(" in {}", s.partition)),
                        "{text}"
                    );
                }
            }
            if count > 0 {
                with_suggestion += 1;
            } else {
                // Only a key spec that can receive no material anywhere has no alternative.
                assert!(!text.contains("instead"), "{text}");
                assert_eq!(ks.material_kind(), MaterialKind::NotImportable, "{text}");
            }
        }
    }
    assert_eq!(refused, 3 * 6 * 4 * 20 - allowed_count());
    assert!(with_suggestion > 0);
}

fn allowed_count() -> usize {
    Partition::ALL
        .iter()
        .flat_map(|&p| entries(p))
        .filter(|e| e.3.is_ok())
        .count()
}

/// The three answers that contradicted the crate's own rules.
#[test]
fn china_rsa_material_is_pointed_at_sm2pke() {
    let refusal = check(
        AwsCn,
        WrappingAlgorithm::RsaesOaepSha256,
        W::Rsa2048,
        KeySpec::Rsa2048,
    )
    .unwrap_err();
    let text = refusal.to_string();
    assert!(text.contains("SM2PKE with an SM2 wrapping key"), "{text}");
    assert!(!text.contains("RSA_AES"), "{text}");
    let sm2_in_aws = check(
        Aws,
        WrappingAlgorithm::RsaesOaepSha256,
        W::Rsa2048,
        KeySpec::Sm2,
    )
    .unwrap_err();
    assert_eq!(sm2_in_aws.reason, Reason::KeySpecNotInPartition);
    assert_eq!(sm2_in_aws.suggestions[0].map(|s| s.partition), Some(AwsCn));
    assert!(
        sm2_in_aws.to_string().ends_with("in aws-cn"),
        "{sm2_in_aws}"
    );
}

#[test]
fn wrapping_key_checks_without_a_key_spec() {
    assert!(check_wrapping_key(S::RsaesOaepSha256, W::Rsa2048, 190).is_ok());
    let long = check_wrapping_key(S::RsaesOaepSha256, W::Rsa2048, 191).unwrap_err();
    assert_eq!(
        long.reason,
        Reason::MaterialTooLongForOaep {
            material_len: 191,
            limit: 190
        }
    );
    assert!(
        long.to_string()
            .starts_with("key material of 191 bytes does not fit")
    );
    let mismatch = check_wrapping_key(S::Sm2Pke, W::Rsa4096, 32).unwrap_err();
    assert_eq!(mismatch.reason, Reason::WrappingKeySpecMismatch);
    let pkcs1 = WrappingScheme::try_from(WrappingAlgorithm::RsaesPkcs1V15).unwrap_err();
    assert_eq!(pkcs1.reason, Reason::Deprecated);
    assert!(pkcs1.to_string().contains("2023-10-10"), "{pkcs1}");
    for &scheme in WrappingScheme::ALL {
        assert_eq!(WrappingScheme::try_from(scheme.algorithm()), Ok(scheme));
    }
}
