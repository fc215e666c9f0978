use kms_import::{
    KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey, matrix,
};
use rand::{SeedableRng, rngs::ChaCha20Rng};

#[test]
fn rsa_roundtrip_and_grid() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Rsa2048, &mut rng).unwrap();
    let public = key.public_key();
    for alg in [
        WrappingAlgorithm::RsaesOaepSha1,
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
    ] {
        let ct = public.wrap(alg, &[5u8; 32], &mut rng).unwrap();
        assert_eq!(
            key.unwrap(alg, &ct, &mut rng).unwrap().as_bytes(),
            &[5u8; 32]
        );
    }
    println!("{}", matrix::Grid(Partition::Aws));
    println!("{}", matrix::Grid(Partition::AwsCn));
    assert!(
        matrix::check(
            Partition::Aws,
            WrappingAlgorithm::RsaesOaepSha256,
            WrappingKeySpec::Rsa2048,
            KeySpec::EccNistP521
        )
        .is_err()
    );
}
