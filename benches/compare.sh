#!/usr/bin/env bash
# Side-by-side comparison, one run on one machine, same N for every implementation:
#   this crate (1 thread, `parallel`, warm pool) vs Python `cryptography` (OpenSSL) vs
#   `openssl genpkey` (process start-up subtracted) [vs aws-lc-rs with --with-aws-lc]
# for RSA-2048/3072/4096 keygen and RSA-2048/3072/4096 OAEP-SHA256 unwrap. Prints a table with ratios and
# writes it, with the machine description, into BENCHMARKS.md (between the compare.sh markers).
#
# Usage: benches/compare.sh [--quick] [--with-aws-lc] [--n2048 N] [--n3072 N] [--n4096 N] [--nunwrap N]
#                           [--rounds R] [--seed S]
#   --rounds R     the implementations take turns R times (default 5), each with N/R of its work
#   --seed S       this crate's keys come from seeds S+1 … S+R, one per round (default: from the
#                  clock, printed), so that runs do not all measure the same keys
#   --quick        tiny N, to check that everything runs (numbers meaningless)
#   --with-aws-lc  also build and run benches/aws-lc (needs a C compiler; first build ~3 min)
# Run it on a quiet machine (check `uptime`); a full run takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

N2048=100 N3072=40 N4096=30 NUNWRAP=200 NPOOL=1000 AWS_LC=0 QUICK=0 ROUNDS=5 SEED=$(( $(date +%s) % 1000000 ))
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; N2048=5; N3072=3; N4096=3; NUNWRAP=20; NPOOL=100; ROUNDS=2 ;;
    --with-aws-lc) AWS_LC=1 ;;
    --n2048) N2048="$2"; shift ;;
    --n3072) N3072="$2"; shift ;;
    --n4096) N4096="$2"; shift ;;
    --nunwrap) NUNWRAP="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --seed) SEED="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

OUT=target/compare
mkdir -p "$OUT"
RESULTS="$OUT/results.txt"
: > "$RESULTS"

echo "== building" >&2
cargo build --quiet --release -p kms-import --example keygen_distribution
cp target/release/examples/keygen_distribution "$OUT/kd-1thread"
cargo build --quiet --release -p kms-import --example keygen_distribution --features parallel
cp target/release/examples/keygen_distribution "$OUT/kd-parallel"
if [ "$AWS_LC" = 1 ]; then
  (cd benches/aws-lc && CARGO_TARGET_DIR=../../target/compare/aws-lc cargo build --quiet --release)
fi

# RESULT lines (a summary) and SAMPLES lines (every sample) of one implementation into $RESULTS;
# the summaries are echoed.
tag() { sed -n -e "s/^RESULT /impl=$1 /p" -e "s/^SAMPLES /impl=$1 /p" | tee -a "$RESULTS" | grep -v ' ms=' || true; }

{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"
  echo "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); $(uname -sr);"
  flags=$( (grep -m1 '^flags' /proc/cpuinfo || true) | tr ' ' '\n' | (grep -x -E 'avx512ifma|avx512f|avx2|adx|bmi2' || true) | tr '\n' ' ')
  case "$flags" in *avx512ifma*) ifma="AVX-512 IFMA present" ;; *) ifma="no AVX-512 IFMA" ;; esac
  echo "CPU flags: ${flags}(${ifma})."
  echo "Load before the run: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "$(rustc --version); Python $(python3 -c 'import sys; print(sys.version.split()[0])'),"
  echo "cryptography $(python3 -c 'import cryptography; print(cryptography.__version__)' 2>/dev/null || echo '(missing)'),"
  echo "$(python3 -c 'from cryptography.hazmat.backends.openssl.backend import backend; print(backend.openssl_version_text())' 2>/dev/null || true) inside cryptography;"
  echo "CLI: $(openssl version)."
  echo "N per implementation: RSA-2048 keygen $N2048, RSA-3072 $N3072, RSA-4096 $N4096, OAEP unwrap $NUNWRAP per key size, pool takes $NPOOL;"
  echo "in $ROUNDS rounds, the implementations taking turns (\`openssl genpkey\` and the pool once, after them); this crate's keygen seeds $((SEED + 1))–$((SEED + ROUNDS)) (\`--seed $SEED\`)."
  [ "$QUICK" = 1 ] && echo "**--quick run: N too small, numbers are not meaningful.**"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# The implementations take turns, ROUNDS times, each with its share of N: this virtual machine's
# speed changes by itself from one minute to the next (by up to 1.5× for this crate's arithmetic),
# and a run that measured each implementation in one block put them in different phases. The
# table pools every sample of every round; it also prints each round's ratio to Python
# `cryptography`'s median in the same round.
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "--rounds needs a whole number ≥ 1" >&2; exit 2; }
share() { echo $(( $1 / ROUNDS + ($2 < $1 % ROUNDS ? 1 : 0) )); }
for ((r = 0; r < ROUNDS; r++)); do
  n2=$(share "$N2048" "$r") n3=$(share "$N3072" "$r") n4=$(share "$N4096" "$r") nu=$(share "$NUNWRAP" "$r")
  seed=$((SEED + r + 1))
  echo "== round $((r + 1)) of $ROUNDS: RSA-2048 $n2, RSA-3072 $n3, RSA-4096 $n4 keys, $nu unwraps per size" >&2
  echo "== kms-import, 1 thread" >&2
  "$OUT/kd-1thread" --seed "$seed" --n "$n2" RSA_2048 | tag kms-import-1thread
  "$OUT/kd-1thread" --seed "$seed" --n "$n3" RSA_3072 | tag kms-import-1thread
  "$OUT/kd-1thread" --seed "$seed" --n "$n4" RSA_4096 | tag kms-import-1thread
  "$OUT/kd-1thread" --seed "$seed" --unwrap "$nu" | tag kms-import-1thread
  echo "== kms-import, parallel ($(nproc) threads)" >&2
  "$OUT/kd-parallel" --seed "$seed" --n "$n2" RSA_2048 | tag kms-import-parallel
  "$OUT/kd-parallel" --seed "$seed" --n "$n3" RSA_3072 | tag kms-import-parallel
  "$OUT/kd-parallel" --seed "$seed" --n "$n4" RSA_4096 | tag kms-import-parallel
  echo "== Python cryptography" >&2
  python3 benches/compare_py.py cryptography "$n2" "$n3" "$n4" "$nu" | tag python-cryptography
  if [ "$AWS_LC" = 1 ]; then
    echo "== aws-lc-rs" >&2
    target/compare/aws-lc/release/kms-import-aws-lc-compare "$n2" "$n3" "$n4" "$nu" | tag aws-lc-rs
  fi
done
echo "== kms-import, warm pool" >&2
"$OUT/kd-1thread" --pool "$NPOOL" | tag kms-import-pool
# `openssl genpkey` is a separate process per key (start-up subtracted), not in the rounds.
echo "== openssl genpkey (start-up subtracted)" >&2
python3 benches/compare_py.py openssl "$N2048" "$N3072" "$N4096" | tee >(cat >&2) | tag openssl-genpkey
echo "Load after the run: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$OUT/machine.txt"

echo "== table (also written to BENCHMARKS.md)" >&2
python3 benches/compare_py.py table "$RESULTS" "$OUT/machine.txt" BENCHMARKS.md
