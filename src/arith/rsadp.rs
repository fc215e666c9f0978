//! RSADP (RFC 8017 §5.1.2, the second form of the private key: p, q, dP, dQ, qInv) on the
//! fixed-width arithmetic, blinded, with the result checked by re-encryption.
//!
//! For a ciphertext representative c < n:
//!
//! 1. **Base blinding** (P. Kocher, "Timing attacks on implementations of Diffie-Hellman, RSA,
//!    DSS, and other systems", CRYPTO '96, §10): c' = c·rᵉ mod n for a random r, and at the end
//!    m = m'·r⁻¹ mod n. The pair (rᵉ, r⁻¹) is drawn with the caller's RNG (r uniform in
//!    [1, n − 1], its inverse by `crypto-bigint`'s constant-time `invert_odd_mod`), kept in the
//!    key, and refreshed after each use by squaring both halves ((r²)ᵉ = (rᵉ)², (r²)⁻¹ = (r⁻¹)²),
//!    which costs two multiplications instead of an inversion; a new r is drawn every
//!    [`FRESH_EVERY`] uses, and whenever the kept pairs are all in use by other threads.
//! 2. **Exponent blinding**: each half exponentiates with dP + k·(p − 1) (and dQ + k'·(q − 1))
//!    for fresh random 64-bit k, k', which gives the same result (Fermat) with a different
//!    exponent on every call.
//! 3. **CRT** (RFC 8017 §5.1.2 step 2.b, with u = 2): m₁ = c'^dP mod p and m₂ = c'^dQ mod q,
//!    computed side by side, h = (m₁ − m₂)·qInv mod p, m' = m₂ + q·h.
//! 4. **Check**: mᵉ mod n must equal c (a fault in step 3 would otherwise leak a factor of n:
//!    D. Boneh, R. DeMillo, R. Lipton, "On the importance of checking cryptographic protocols
//!    for faults", EUROCRYPT '97).
//!
//! Every step is constant-time in the ciphertext, the blinding values and the key; the only
//! outcomes that return early are public (c ≥ n, a ciphertext of the wrong length) or a fault.
//!
//! Where the blinding state lives: [`BlindingCache`] holds [`SLOTS`](super::blinding::SLOTS) pairs in atomics, each with
//! a small state machine (empty / ready / in use) that is only ever try-locked with a
//! compare-exchange, so the key stays `Send + Sync` and usable through `&self`, without `unsafe`
//! and without a lock that could block: a thread that finds every slot in use blinds with a
//! freshly drawn pair instead.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{BoxedUint, NonZero, Odd, RandomMod};
use rand_core::CryptoRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use subtle::Choice;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::blinding::{BlindingCache, FRESH_EVERY, MAX_R_DRAWS, Pair};
use super::exp::{pow_montgomery_x2, pow_public};
use super::limbs::{adc, add, ct_eq, mac, mul_wide, select, sub};
use super::montgomery::Modulus;
use super::to_limbs;

/// An RSA private key prepared for RSADP: H-limb primes, F = 2H-limb modulus, E = H + 1-limb
/// blinded CRT exponents. Every secret is wiped on drop.
pub(crate) struct CrtKey<const H: usize, const F: usize, const E: usize> {
    n: Modulus<F>,
    e: u64,
    p: Modulus<H>,
    q: Modulus<H>,
    dp: [u64; H],
    dq: [u64; H],
    /// qInv·R mod p (Montgomery form).
    qinv: [u64; H],
    /// R³ mod p and R³ mod q: reducing a 2H-limb c gives c·R⁻¹; multiplying by R³ gives c·R.
    r3_p: [u64; H],
    r3_q: [u64; H],
    blinding: BlindingCache<F>,
}

impl<const H: usize, const F: usize, const E: usize> Drop for CrtKey<H, F, E> {
    fn drop(&mut self) {
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
        self.r3_p.zeroize();
        self.r3_q.zeroize();
        // p, q and n wipe themselves (ZeroizeOnDrop); so does the cache.
    }
}

impl<const H: usize, const F: usize, const E: usize> ZeroizeOnDrop for CrtKey<H, F, E> {}

impl<const H: usize, const F: usize, const E: usize> CrtKey<H, F, E> {
    /// From an `rsa` key with two primes of exactly 64·H bits each, n of 64·F bits and e < 2^64;
    /// `None` otherwise.
    fn new(key: &rsa::PrivateKey) -> Option<Self> {
        const { assert!(F == 2 * H && E == H + 1) };
        let [p, q] = key.primes() else {
            return None;
        };
        let n = Modulus::new(&to_limbs::<F>(key.n().as_ref())?)?;
        let e = *to_limbs::<1>(key.e())?.first()?;
        let p_limbs = Zeroizing::new(to_limbs::<H>(p.as_ref())?);
        let q_limbs = Zeroizing::new(to_limbs::<H>(q.as_ref())?);
        let pm = Modulus::new(&p_limbs)?;
        let qm = Modulus::new(&q_limbs)?;
        let dp = to_limbs::<H>(key.dp()?)?;
        let dq = to_limbs::<H>(key.dq()?)?;
        let qinv_plain = Zeroizing::new(key.qinv()?.retrieve());
        let qinv = Zeroizing::new(to_limbs::<H>(&qinv_plain)?);
        let qinv = pm.to_montgomery(&qinv);
        // R³ = Mont(R², R²)·… : Mont(R², R²) = R³.
        let r3_p = pm.mul(pm.r2(), pm.r2());
        let r3_q = qm.mul(qm.r2(), qm.r2());
        Some(CrtKey {
            n,
            e,
            p: pm,
            q: qm,
            dp,
            dq,
            qinv,
            r3_p,
            r3_q,
            blinding: BlindingCache::new(),
        })
    }

    /// A fresh pair: r uniform in [1, n − 1] and invertible, rᵉ and r⁻¹ in Montgomery form.
    fn fresh_pair<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> Option<Pair<F>> {
        let n = Odd::new(crate::arith::from_limbs(self.n.n())).into_option()?;
        let n_nz = NonZero::new(n.as_ref().clone()).into_option()?;
        for _ in 0..MAX_R_DRAWS {
            let r = Zeroizing::new(BoxedUint::random_mod_vartime(rng, &n_nz));
            if bool::from(r.is_zero()) {
                continue;
            }
            let Some(r_inv) = r.invert_odd_mod(&n).into_option().map(Zeroizing::new) else {
                continue;
            };
            let r_limbs = Zeroizing::new(to_limbs::<F>(&r)?);
            let r_inv_limbs = Zeroizing::new(to_limbs::<F>(&r_inv)?);
            let r_m = Zeroizing::new(self.n.to_montgomery(&r_limbs));
            return Some(Pair {
                r_e: pow_public(&self.n, &r_m, self.e),
                r_inv: self.n.to_montgomery(&r_inv_limbs),
                uses: 0,
            });
        }
        None
    }

    /// RSADP of c (F limbs): m = c^d mod n, blinded and checked (see the module docs). `None`
    /// when c ≥ n, when no blinding pair could be drawn (a broken RNG), or when the check fails.
    fn rsadp<R: CryptoRng + ?Sized>(&self, c: &[u64; F], rng: &mut R) -> Option<[u64; F]> {
        // Step 1 of RFC 8017 §5.1.2: c must be below n (c is public).
        let (_, borrow) = sub(c, self.n.n());
        if borrow == 0 {
            return None;
        }
        let taken = self.blinding.take();
        let pair = match taken.pair {
            Some(pair) if pair.uses < FRESH_EVERY => Some(pair),
            _ => self.fresh_pair(rng),
        };
        let Some(mut pair) = pair else {
            if let Some(slot) = taken.slot {
                self.blinding.give_back(slot, None);
            }
            return None;
        };
        let mut m = self.blinded_crt(c, &pair, rng);
        // Step 4: mᵉ = c, else a fault: the result is withheld and the pair discarded.
        let ok = self.encrypts_to(&m, c);
        pair.r_e = self.n.sqr(&pair.r_e);
        pair.r_inv = self.n.sqr(&pair.r_inv);
        pair.uses += 1;
        if let Some(slot) = taken.slot {
            self.blinding
                .give_back(slot, bool::from(ok).then_some(&pair));
        }
        if bool::from(ok) {
            Some(m)
        } else {
            m.zeroize();
            None
        }
    }

    /// Steps 1–3: c' = c·rᵉ, the two blinded half exponentiations side by side, Garner's
    /// recombination, m = m'·r⁻¹.
    fn blinded_crt<R: CryptoRng + ?Sized>(
        &self,
        c: &[u64; F],
        pair: &Pair<F>,
        rng: &mut R,
    ) -> [u64; F] {
        let mut c_blind = self.n.canonical(&self.n.mul(c, &pair.r_e));
        let (mut lo, mut hi) = halves::<H, F>(&c_blind);
        // c' mod p in Montgomery form: reduce (c'·R⁻¹), then times R³.
        let mut cp = self.p.mul(&self.p.reduce(&lo, &hi), &self.r3_p);
        let mut cq = self.q.mul(&self.q.reduce(&lo, &hi), &self.r3_q);
        let mut dp = blind_exponent::<H, E, R>(&self.dp, self.p.n(), rng);
        let mut dq = blind_exponent::<H, E, R>(&self.dq, self.q.n(), rng);
        let [mut xp, mut xq] = pow_montgomery_x2([&self.p, &self.q], [&cp, &cq], [&dp, &dq]);
        let mut m1 = self.p.retrieve(&xp);
        let mut m2 = self.q.retrieve(&xq);
        // h = (m₁ − m₂)·qInv mod p. m₂ < q < R < 2p: one conditional subtraction reduces it.
        let mut m2_p = self.p.canonical(&m2);
        let (mut diff, borrow) = sub(&m1, &m2_p);
        let (mut wrapped, _) = add(&diff, self.p.n());
        diff = select(&diff, &wrapped, Choice::from(borrow as u8));
        let mut h = self.p.canonical(&self.p.mul(&diff, &self.qinv));
        // m' = m₂ + q·h < q + q·(p − 1) = n.
        let mut qh = mul_wide(&h, self.q.n());
        let mut m_blind = [0u64; F];
        let mut carry = 0;
        for (i, (o, &limb)) in m_blind.iter_mut().zip(qh.as_flattened()).enumerate() {
            (*o, carry) = adc(limb, m2.get(i).copied().unwrap_or(0), carry);
        }
        let m = self.n.canonical(&self.n.mul(&m_blind, &pair.r_inv));
        for x in [
            &mut cp, &mut cq, &mut xp, &mut xq, &mut m1, &mut m2, &mut m2_p,
        ] {
            x.zeroize();
        }
        for x in [&mut diff, &mut wrapped, &mut h, &mut lo, &mut hi] {
            x.zeroize();
        }
        dp.zeroize();
        dq.zeroize();
        qh.zeroize();
        m_blind.zeroize();
        c_blind.zeroize();
        m
    }

    /// mᵉ mod n = c, in constant time.
    fn encrypts_to(&self, m: &[u64; F], c: &[u64; F]) -> Choice {
        let mut m_m = self.n.to_montgomery(m);
        let mut x = self.n.retrieve(&pow_public(&self.n, &m_m, self.e));
        let ok = ct_eq(&x, c);
        m_m.zeroize();
        x.zeroize();
        ok
    }

    /// RSADP on big-endian bytes: `ciphertext` of exactly 8·F bytes (k for these moduli) to EM
    /// of 8·F bytes. `None` as for [`Self::rsadp`], or for another length.
    fn decrypt<R: CryptoRng + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Option<Zeroizing<Vec<u8>>> {
        let c = from_be_bytes::<F>(ciphertext)?;
        let mut m = self.rsadp(&c, rng)?;
        let mut em = Zeroizing::new(vec![0u8; 8 * F]);
        for (chunk, limb) in em.chunks_exact_mut(8).zip(m.iter().rev()) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        m.zeroize();
        Some(em)
    }
}

/// The low and high H limbs of an F = 2H-limb number.
fn halves<const H: usize, const F: usize>(x: &[u64; F]) -> ([u64; H], [u64; H]) {
    let mut lo = [0u64; H];
    let mut hi = [0u64; H];
    lo.copy_from_slice(&x[..H]);
    hi.copy_from_slice(&x[H..]);
    (lo, hi)
}

/// d + k·(p − 1) for a random 64-bit k, in E = H + 1 limbs (d < p − 1, so it fits).
fn blind_exponent<const H: usize, const E: usize, R: CryptoRng + ?Sized>(
    d: &[u64; H],
    p: &[u64; H],
    rng: &mut R,
) -> [u64; E] {
    let k = rng.next_u64();
    let mut out = [0u64; E];
    // p is odd: p − 1 only clears bit 0.
    let mut carry = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let pm1 = match i {
            0 => p.first().map_or(0, |&l| l & !1),
            _ => p.get(i).copied().unwrap_or(0),
        };
        let di = d.get(i).copied().unwrap_or(0);
        (*o, carry) = mac(di, pm1, k, carry);
    }
    out
}

/// Big-endian bytes (exactly 8·N) as limbs.
fn from_be_bytes<const N: usize>(bytes: &[u8]) -> Option<[u64; N]> {
    if bytes.len() != 8 * N {
        return None;
    }
    let mut out = [0u64; N];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks_exact(8)) {
        *limb = u64::from_be_bytes(chunk.try_into().ok()?);
    }
    Some(out)
}

/// RSADP for the wrapping key sizes: a [`CrtKey`] of the right width behind one type.
pub(crate) enum RsaPrivateOp {
    /// RSA-2048: 1024-bit primes.
    Rsa2048(Box<CrtKey<16, 32, 17>>),
    /// RSA-3072: 1536-bit primes.
    Rsa3072(Box<CrtKey<24, 48, 25>>),
    /// RSA-4096: 2048-bit primes.
    Rsa4096(Box<CrtKey<32, 64, 33>>),
}

impl RsaPrivateOp {
    /// Prepares `key`; `None` unless it has two primes of exactly half of a 2048-, 3072- or
    /// 4096-bit modulus (every wrapping key has: they are checked on the way in).
    pub(crate) fn new(key: &rsa::PrivateKey) -> Option<Self> {
        Some(match key.size() {
            256 => RsaPrivateOp::Rsa2048(Box::new(CrtKey::new(key)?)),
            384 => RsaPrivateOp::Rsa3072(Box::new(CrtKey::new(key)?)),
            512 => RsaPrivateOp::Rsa4096(Box::new(CrtKey::new(key)?)),
            _ => return None,
        })
    }

    /// k, the length of the modulus in bytes (256, 384 or 512).
    pub(crate) fn size(&self) -> usize {
        match self {
            RsaPrivateOp::Rsa2048(_) => 256,
            RsaPrivateOp::Rsa3072(_) => 384,
            RsaPrivateOp::Rsa4096(_) => 512,
        }
    }

    /// RSADP (RFC 8017 §5.1.2) of the k-byte big-endian `ciphertext`, blinded with `rng` and
    /// checked; EM = I2OSP(m, k). `None` for a ciphertext of another length or not below n, for
    /// an RNG that cannot give a blinding value, and for a failed check: the caller turns each
    /// into its one opaque error.
    pub(crate) fn decrypt<R: CryptoRng + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            RsaPrivateOp::Rsa2048(k) => k.decrypt(ciphertext, rng),
            RsaPrivateOp::Rsa3072(k) => k.decrypt(ciphertext, rng),
            RsaPrivateOp::Rsa4096(k) => k.decrypt(ciphertext, rng),
        }
    }
}

#[cfg(test)]
impl RsaPrivateOp {
    /// Test hook: flips a bit of r⁻¹ in every kept pair (a simulated fault); returns how many.
    pub(crate) fn corrupt_kept_pairs(&self) -> usize {
        match self {
            RsaPrivateOp::Rsa2048(k) => k.blinding.corrupt_kept_pairs(),
            RsaPrivateOp::Rsa3072(k) => k.blinding.corrupt_kept_pairs(),
            RsaPrivateOp::Rsa4096(k) => k.blinding.corrupt_kept_pairs(),
        }
    }
}

// Dropping the box drops the `CrtKey`, which wipes every secret and the kept blinding pairs.
impl ZeroizeOnDrop for RsaPrivateOp {}

// The key is used through `&self` from any thread.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<RsaPrivateOp>();
};
