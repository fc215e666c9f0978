#!/usr/bin/env python3
"""How heavy is the tail of RSA-4096 key generation by fresh draws (FIPS 186-5 A.1.3), whatever
the arithmetic? A model of the counts, not a timing:

- a candidate that survives trial division to 2^18 is prime with probability q ≈ 1/64
  (a random odd 2048-bit number is prime with probability ≈ 1/710, and ≈ 9 % of candidates
  survive: 1.12 / ln 2^18), and each survivor costs one base-2 exponentiation, plus ≈ 10 % for its
  trial division;
- each of the two primes then pays its 4 Table B.1 random-base rounds (≈ 1.3 base-2 rounds each).

It prints the population's p90 ÷ median, and how often 60 keys (compare.sh's N) show ≤ 2×.
Usage: python3 benches/keygen_tail_model.py [SEED]
"""
import math
import random
import sys

Q = 1 / 64.0
SURVIVOR_COST = 1.1  # one base-2 round + its trial division, in base-2 rounds
ROUNDS_COST = 2 * 4 * 1.3


def survivors(rng):
    n = 1
    while rng.random() > Q:
        n += 1
    return n


def key(rng):
    return (survivors(rng) + survivors(rng)) * SURVIVOR_COST + ROUNDS_COST


def p90_over_median(samples):
    s = sorted(samples)
    n = len(s)
    pct = lambda p: s[min(max(math.ceil(p * n), 1), n) - 1]
    return pct(0.9) / pct(0.5)


def main():
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    population = [key(rng) for _ in range(200_000)]
    print(f"population (200,000 keys): p90 / median = {p90_over_median(population):.2f}")
    runs = sorted(p90_over_median([key(rng) for _ in range(60)]) for _ in range(2000))
    below = sum(r <= 2 for r in runs) / len(runs)
    print(f"60 keys, 2000 runs: p90 / median 5 % {runs[100]:.2f}, median {runs[1000]:.2f}, "
          f"95 % {runs[1900]:.2f}; ≤ 2 in {below:.0%} of runs")


if __name__ == "__main__":
    main()
