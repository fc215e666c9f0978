//! Unit tests of the pool: hand-out, watermarks, and the health tests.

use super::*;
use crate::error::Error;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use rand::SeedableRng;

const SM2: WrappingKeySpec = WrappingKeySpec::Sm2;

#[test]
fn each_key_is_handed_out_once() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 5);
    assert!(pool.needs_refill(SM2));
    assert_eq!(pool.deficit(SM2), 5);
    assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 5);
    assert!(!pool.needs_refill(SM2));
    assert_eq!(pool.deficit(SM2), 0);
    let mut seen = BTreeSet::new();
    let mut taken = Vec::new();
    while let Some(key) = pool.take(SM2) {
        assert_eq!(key.spec(), SM2);
        assert!(
            seen.insert(key.public_key().to_der()),
            "a key was handed out twice"
        );
        taken.push(key);
    }
    assert_eq!(taken.len(), 5);
    assert!(pool.take(SM2).is_none());
    assert!(pool.take(WrappingKeySpec::Rsa4096).is_none());
}

#[test]
fn watermarks_signal_refill_and_bound_the_pool() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 3);
    pool.fill(SM2, &mut rng).unwrap();
    // Full: one more is refused and handed back.
    let extra = FreshWrappingKey::generate(SM2, &mut rng).unwrap();
    assert!(pool.put(extra).is_err());
    assert_eq!(pool.len(SM2), 3);
    pool.take(SM2).unwrap(); // 2 left: at the low watermark, no refill yet
    assert!(!pool.needs_refill(SM2));
    assert_eq!(pool.deficit(SM2), 1);
    pool.take(SM2).unwrap(); // 1 left: below it
    assert!(pool.needs_refill(SM2));
    assert_eq!(pool.specs_needing_refill().collect::<Vec<_>>(), [SM2]);
    assert_eq!(pool.deficit(SM2), 2);
    // A spec without watermarks keeps nothing.
    let rsa = WrappingKeySpec::Rsa2048;
    assert!(!pool.needs_refill(rsa));
    assert_eq!(pool.deficit(rsa), 0);
}

use crate::key::pool::test_rngs::Replay;

fn distinct_ders(keys: &[WrappingPrivateKey]) -> usize {
    keys.iter()
        .map(|k| k.public_key().to_der())
        .collect::<BTreeSet<_>>()
        .len()
}

fn drain(pool: &mut WrappingKeyPool, spec: WrappingKeySpec) -> Vec<WrappingPrivateKey> {
    core::iter::from_fn(|| pool.take(spec)).collect()
}

#[test]
fn low_zero_fills_to_high_and_refills_once_empty() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 0, 3);
    assert!(pool.needs_refill(SM2));
    assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 3);
    pool.take(SM2).unwrap();
    pool.take(SM2).unwrap();
    assert!(
        !pool.needs_refill(SM2),
        "1 left: low = 0 behaves as low = 1"
    );
    pool.take(SM2).unwrap();
    assert!(pool.needs_refill(SM2));
    assert_eq!(pool.specs_needing_refill().collect::<Vec<_>>(), [SM2]);
    // high = 0 keeps nothing, whatever low says.
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 5, 0);
    assert!(!pool.needs_refill(SM2));
    assert_eq!(pool.watermarks(SM2), (0, 0));
}

#[test]
fn lowering_high_trims_the_surplus_whatever_the_order() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(6);
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 5);
    pool.fill(SM2, &mut rng).unwrap();
    assert_eq!(pool.set_watermarks(SM2, 1, 2), 3, "three keys dropped");
    assert_eq!(pool.len(SM2), 2);
    assert_eq!(pool.deficit(SM2), 0);
    // Builder style, low above high: low is capped, the surplus dropped.
    let mut pool = pool.with_watermarks(SM2, 4, 1);
    assert_eq!((pool.len(SM2), pool.watermarks(SM2)), (1, (1, 1)));
    let extra = FreshWrappingKey::generate(SM2, &mut rng).unwrap();
    assert!(matches!(pool.put(extra), Err(PutError::Full(_))));
    // The oldest keys went first: the one left is the newest of the five.
    let mut same = rand::rngs::ChaCha8Rng::seed_from_u64(6);
    let fifth = (0..5)
        .map(|_| FreshWrappingKey::generate(SM2, &mut same).unwrap())
        .last()
        .unwrap();
    assert_eq!(pool.take(SM2).unwrap().public_key(), fifth.key.public_key());
    // Raising it again refills.
    pool.set_watermarks(SM2, 1, 3);
    assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 3);
}

#[test]
fn an_rng_stuck_at_a_constant_byte_hands_out_no_key() {
    // Before the repetition count test, an SM2 pool "filled" with 12 copies of one key.
    for spec in [SM2, WrappingKeySpec::Rsa2048] {
        for byte in [0x42, 0x00, 0xff] {
            let mut pool = WrappingKeyPool::new().with_watermarks(spec, 12, 12);
            let err = pool.fill(spec, &mut Replay::constant(byte)).unwrap_err();
            assert_eq!(err, FillError::Health(HealthTestFailure::RepetitionCount));
            assert_eq!(pool.len(spec), 0, "{spec} {byte:#x}");
            assert!(pool.take(spec).is_none());
        }
    }
}

#[test]
fn an_rng_replaying_its_output_is_caught_by_the_duplicate_test() {
    // 64 bytes replayed: the RCT sees distinct samples, SM2 keygen draws 32 bytes per key, so
    // the keys go A, B, A, ...
    let mut rng = Replay::chacha_block(7, 64);
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 5, 5);
    let err = pool.fill(SM2, &mut rng).unwrap_err();
    assert_eq!(
        err,
        FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 })
    );
    let keys = drain(&mut pool, SM2);
    assert_eq!((keys.len(), distinct_ders(&keys)), (2, 2));
}

#[test]
fn identically_seeded_keys_go_into_one_pool_once() {
    let key = |seed| {
        FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(seed)).unwrap()
    };
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 3, 3);
    pool.put(key(8)).unwrap();
    pool.put(key(9)).unwrap();
    match pool.put(key(8)) {
        Err(PutError::Duplicate(HealthTestFailure::DuplicateKey { spec })) => {
            assert_eq!(spec, SM2)
        }
        other => panic!("{other:?}"),
    }
    // Handing the first copy out does not make room for the second: the window remembers.
    pool.take(SM2).unwrap();
    assert!(matches!(pool.put(key(8)), Err(PutError::Duplicate(_))));
    // Another pool has its own window (no protection across pools).
    let mut other = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
    other.put(key(8)).unwrap();
}

#[test]
fn the_duplicate_window_is_bounded() {
    let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 0, usize::MAX);
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(10);
    let first =
        FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(11)).unwrap();
    pool.put(first).unwrap();
    for _ in 0..WrappingKeyPool::DUPLICATE_WINDOW - 1 {
        pool.put(FreshWrappingKey::generate(SM2, &mut rng).unwrap())
            .unwrap();
    }
    let again = |seed| {
        FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(seed)).unwrap()
    };
    assert!(matches!(pool.put(again(11)), Err(PutError::Duplicate(_))));
    pool.put(FreshWrappingKey::generate(SM2, &mut rng).unwrap())
        .unwrap();
    // 1024 newer keys since: the first one has left the window.
    pool.put(again(11)).unwrap();
    assert_eq!(pool.len(SM2), WrappingKeyPool::DUPLICATE_WINDOW + 2);
}

#[test]
fn errors_name_the_failure_and_keep_the_source() {
    use alloc::string::ToString;
    use core::error::Error as _;
    let rct = FillError::from(HealthTestFailure::RepetitionCount);
    assert!(rct.to_string().contains("repetition count test"));
    let dup = FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 });
    assert!(dup.to_string().contains("SM2"));
    let keygen = FillError::Keygen(Error::Rng);
    let source = keygen.source().unwrap().downcast_ref::<Error>();
    assert_eq!(source, Some(&Error::Rng));
}
