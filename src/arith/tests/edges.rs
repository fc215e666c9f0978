//! The Montgomery primitives one by one, held against `crypto-bigint` on the edges of every
//! width (N = 8, 16, 24, 32, 48, 64): moduli just above R/2 and just below R (R = 2^(64·N)),
//! and operands 0, 1, R mod n, n − 1, n, n + 1, values in [n, R), and R − 1, the largest an
//! almost-Montgomery value can be. The exponentiation tests reach these only by chance: with n
//! just above R/2, a product of values below n never carries out of the top limb, so the final
//! subtraction is only taken when an operand is near R.
//!
//! Each result r must be below R (by type) and satisfy r·R ≡ the exact product (mod n); its
//! canonical form must be the residue itself.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{BoxedUint, ConcatenatingMul, NonZero, Resize};
use rand::SeedableRng;

use super::super::montgomery::Modulus;
use super::super::{from_limbs, to_limbs};
use super::random_limbs;

/// 2^(k−1) + 1, 2^(k−1) + 2^64 + 1, 2^k − 1, 2^k − 2^64 − 1, and n0 = −n⁻¹ = 1 (n ≡ −1 mod
/// 2^64 with a top limb of 2^63), for k = 64·N.
fn edge_moduli<const N: usize>() -> [[u64; N]; 5] {
    let mut just_above = [0u64; N];
    just_above[0] = 1;
    just_above[N - 1] = 1 << 63;
    let mut above_2 = just_above;
    above_2[1] = 1;
    let just_below = [u64::MAX; N];
    let mut below_2 = just_below;
    below_2[1] = u64::MAX - 1;
    let mut n0_one = just_above;
    n0_one[0] = u64::MAX;
    [just_above, above_2, just_below, below_2, n0_one]
}

/// x mod n for a value of any width.
fn rem(x: &BoxedUint, n: &[u64]) -> BoxedUint {
    let bits = x.bits_precision().max(64 * n.len() as u32);
    let mut n_wide = BoxedUint::zero_with_precision(bits);
    for (i, &l) in n.iter().enumerate() {
        n_wide |= BoxedUint::from(l).resize(bits).shl(64 * i as u32);
    }
    x.clone().resize(bits).rem(&NonZero::new(n_wide).unwrap())
}

/// r·R mod n against `expected` (a value to be reduced mod n), and canonical(r) = r mod n.
fn check<const N: usize>(m: &Modulus<N>, r: &[u64; N], expected: &BoxedUint, what: &str) {
    let n = m.n();
    let r_times_r = from_limbs(r).resize(128 * N as u32).shl(64 * N as u32);
    assert_eq!(
        rem(&r_times_r, n),
        rem(expected, n),
        "{what}: not congruent, {} bits",
        64 * N
    );
    let canonical = m.canonical(r);
    assert_eq!(
        from_limbs(&canonical).resize(64 * N as u32),
        rem(&from_limbs(r), n).resize(64 * N as u32),
        "{what}: canonical, {} bits",
        64 * N
    );
}

fn operands<const N: usize>(
    m: &Modulus<N>,
    rng: &mut rand::rngs::ChaCha8Rng,
) -> Vec<([u64; N], &'static str)> {
    let n = *m.n();
    let small = |v: u64| {
        let mut x = [0u64; N];
        x[0] = v;
        x
    };
    let mut n_minus_1 = n;
    n_minus_1[0] -= 1; // n is odd
    // n + 1 with its carry (n's low limb can be 2^64 − 1); for n = R − 1 there is no n + 1
    // below R, and n itself stands in.
    let (sum, carry) = super::super::limbs::add(&n, &small(1));
    let n_plus_1 = if carry == 0 { sum } else { n };
    // A value in [n, R): n plus a random value below 2^(64·(N − 1)), or n + 1 if that is not
    // below R.
    let mut above_n = random_limbs::<N>(rng);
    above_n[N - 1] = 0;
    let (sum, carry) = super::super::limbs::add(&n, &above_n);
    let above_n = if carry == 0 { sum } else { n_plus_1 };
    vec![
        (small(0), "0"),
        (small(1), "1"),
        (*m.one(), "R mod n"),
        (n_minus_1, "n − 1"),
        (n, "n"),
        (n_plus_1, "n + 1"),
        (above_n, "in [n, R)"),
        ([u64::MAX; N], "R − 1"),
        (random_limbs::<N>(rng), "random"),
    ]
}

/// The edge moduli and one random modulus (odd, top bit set).
fn test_moduli<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) -> Vec<[u64; N]> {
    let mut moduli = edge_moduli::<N>().to_vec();
    moduli.push(super::random_modulus::<N>(rng));
    moduli
}

fn primitives_at<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
    for n in &test_moduli::<N>(rng) {
        let m = Modulus::new(n).unwrap();
        let ops = operands(&m, rng);
        for (a, an) in &ops {
            let a_big = from_limbs(a);
            let square = a_big.concatenating_mul(&a_big);
            check(&m, &m.sqr(a), &square, &format!("sqr({an})"));
            // The compact forms (32-bit targets) give the same almost-Montgomery value: the
            // same m, so the same (a·b + m·n)/R and the same final subtraction.
            assert_eq!(m.sqr_compact(a), m.sqr(a), "sqr_compact({an})");
            for (b, bn) in &ops {
                let product = a_big.concatenating_mul(&from_limbs(b));
                check(&m, &m.mul(a, b), &product, &format!("mul({an}, {bn})"));
                assert_eq!(m.mul_compact(a, b), m.mul(a, b), "mul_compact({an}, {bn})");
                // reduce(lo = a, hi = b): (a + b·R)·R⁻¹.
                let wide = a_big.clone().resize(128 * N as u32)
                    | from_limbs(b).resize(128 * N as u32).shl(64 * N as u32);
                check(&m, &m.reduce(a, b), &wide, &format!("reduce({an}, {bn})"));
            }
            // retrieve: a·R⁻¹ in [0, n), i.e. canonical and retrieve(a)·R ≡ a.
            let r = m.retrieve(a);
            check(&m, &r, &a_big, &format!("retrieve({an})"));
            assert_eq!(
                to_limbs::<N>(&rem(&from_limbs(&r), n)),
                Some(r),
                "retrieve({an}) < n"
            );
        }
    }
}

#[test]
fn primitives_on_edge_moduli_and_operands() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0x6564);
    primitives_at::<8>(&mut rng);
    primitives_at::<16>(&mut rng);
    primitives_at::<24>(&mut rng);
    primitives_at::<32>(&mut rng);
    primitives_at::<48>(&mut rng);
    primitives_at::<64>(&mut rng);
}

/// The conditional doubling of the bit-by-bit base-2 round (the windowed round's test-only
/// reference) on almost-Montgomery values: z·2^bit mod n for every edge operand, both bits
/// (z = R − 1 with n just above R/2 needs both subtractions).
#[cfg(feature = "keygen")]
#[test]
fn conditional_doubling_on_edges() {
    use super::super::miller_rabin::double_if;
    fn at<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
        for n in &test_moduli::<N>(rng) {
            let m = Modulus::new(n).unwrap();
            for (z, zn) in operands(&m, rng) {
                for bit in [0u64, 1] {
                    let mut r = z;
                    double_if(n, &mut r, bit);
                    let expected =
                        rem(&from_limbs(&z).resize(64 * N as u32 + 1).shl(bit as u32), n);
                    assert_eq!(
                        rem(&from_limbs(&r), n),
                        expected,
                        "{zn}·2^{bit}, {} bits",
                        64 * N
                    );
                }
            }
        }
    }
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0x6462);
    at::<8>(&mut rng);
    at::<16>(&mut rng);
    at::<24>(&mut rng);
    at::<32>(&mut rng);
}

/// The compact forms against the column loops on random moduli and operands below R, every
/// width: bit for bit the same results (the edges are in `primitives_on_edge_moduli_and_operands`).
#[test]
fn compact_forms_match_the_column_loops() {
    fn at<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
        for _ in 0..20 {
            let mut n = random_limbs::<N>(rng);
            n[0] |= 1;
            n[N - 1] |= 1 << 63;
            let m = Modulus::new(&n).unwrap();
            for _ in 0..20 {
                let (a, b) = (random_limbs::<N>(rng), random_limbs::<N>(rng));
                assert_eq!(m.sqr_compact(&a), m.sqr(&a), "sqr, {} bits", 64 * N);
                assert_eq!(m.mul_compact(&a, &b), m.mul(&a, &b), "mul, {} bits", 64 * N);
            }
        }
    }
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0x636d);
    at::<8>(&mut rng);
    at::<16>(&mut rng);
    at::<24>(&mut rng);
    at::<32>(&mut rng);
    at::<48>(&mut rng);
    at::<64>(&mut rng);
}

/// The reciprocal of the base-2 round's quotient estimate against a plain division (the test
/// may divide: its operands are not secret), on the ends of its range and random top limbs.
#[cfg(feature = "keygen")]
#[test]
fn reciprocal_matches_division() {
    use super::super::miller_rabin::reciprocal;
    use rand::Rng;
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0x7263);
    let mut tops = vec![
        1 << 63,
        (1 << 63) + 1,
        u64::MAX,
        u64::MAX - 1,
        0xc000_0000_0000_0000,
    ];
    tops.extend((0..1000).map(|_| rng.next_u64() | 1 << 63));
    for t in tops {
        let expected = (1u128 << 127) / (u128::from(t) + 1);
        assert_eq!(u128::from(reciprocal(t)), expected, "t = {t:#x}");
    }
}

/// The base-2 round's window step, z·2^e mod n on almost-Montgomery values, for every digit e
/// of a window, on the edge moduli and operands, then on random ones: the result (below R by
/// type) is congruent to z·2^e.
#[cfg(feature = "keygen")]
#[test]
fn window_multiplication_on_edges() {
    use super::super::miller_rabin::{B2_WINDOW, mul_pow2, reciprocal};
    fn expect<const N: usize>(n: &[u64; N], z: &[u64; N], e: u64, what: &str) {
        let mut r = *z;
        mul_pow2(n, reciprocal(n[N - 1]), &mut r, e);
        let expected = rem(&from_limbs(z).resize(64 * N as u32 + 64).shl(e as u32), n);
        assert_eq!(
            rem(&from_limbs(&r), n),
            expected,
            "{what}·2^{e}, {} bits, n = {:x?}",
            64 * N,
            &n[N - 2..]
        );
    }
    fn at<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
        for n in &test_moduli::<N>(rng) {
            let m = Modulus::new(n).unwrap();
            for (z, zn) in operands(&m, rng) {
                for e in 0..1 << B2_WINDOW {
                    expect(n, &z, e, zn);
                }
            }
        }
        for _ in 0..200 {
            let mut n = random_limbs::<N>(rng);
            n[0] |= 1;
            n[N - 1] |= 1 << 63;
            let z = random_limbs::<N>(rng);
            let e = random_limbs::<1>(rng)[0] % (1 << B2_WINDOW);
            expect(&n, &z, e, "random");
        }
    }
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0x7770);
    at::<8>(&mut rng);
    at::<16>(&mut rng);
    at::<24>(&mut rng);
    at::<32>(&mut rng);
}
