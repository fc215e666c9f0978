#!/usr/bin/env bash
# Flash and heap of the firmware profiles (README, "Firmware profiles").
#
#   firmware/size.sh           # the table: every profile, opt-level z and 3, peak heap (QEMU);
#                              # about 15 min on a shared 2-core machine (12 LTO builds, 6 images)
#   firmware/size.sh --check   # CI: the smallest profile at opt-level z must not grow by more than
#                              # 10 % over firmware/size-baseline.txt
#   firmware/size.sh --update  # rewrite firmware/size-baseline.txt from a fresh build
#
# Size: libkms_import_ffi.a for thumbv7em-none-eabihf (`--no-default-features --features
# firmware,<profile>`, release, fat LTO, one codegen unit, panic = abort as the target has it)
# linked by rust-lld into a minimal image whose roots are the C ABI's functions (every one that
# kms_import.h declares) with --gc-sections; the figure is .text + .rodata of that image. The
# firmware's two heap hooks are defined as absolute symbols (they are the firmware's code, not
# ours). Heap: firmware/kat-m4 with `heap-only`, built per profile and run under QEMU; its
# counting allocator reports the peak heap of one unwrap (PKCS#8 key import + unwrap).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-table}

# name | kms-import-ffi features (besides `firmware`) | kat-m4 features
profiles=(
  "minimal||"
  "keygen|keygen|keygen"
  "ecc|ecc|ecc"
  "sm2|sm2|sm2"
  "service|service,keygen|service,keygen"
  "full|ecc,sm2,service,keygen|ecc,sm2,service,keygen"
)

functions=(
  kms_import_generate_wrapping_key kms_import_wrap kms_import_unwrap kms_import_check
  kms_import_check_material kms_import_status_name kms_import_service_new kms_import_service_free
  kms_import_get_parameters_for_import kms_import_import_key_material
)

rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf
sysroot=$(rustc --print sysroot)
lld=$(find "$sysroot/lib/rustlib" -name rust-lld -type f | head -n 1)
size_tool=$(command -v llvm-size || true)
# Cargo's target directory (CARGO_TARGET_DIR when set) for the LTO builds; kat-m4's as
# firmware/run-qemu.sh has it (its own workspace: firmware/kat-m4/target, or $CARGO_TARGET_DIR/kat-m4).
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  kat_target=$(realpath -m "$CARGO_TARGET_DIR/kat-m4")
else
  kat_target="$root/firmware/kat-m4/target"
fi

# .text + .rodata of the minimal image of one profile at one opt-level.
image_size() { # features opt
  local features=$1 opt=$2
  local dir="$target_dir/firmware-size-$opt"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_LTO=fat \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo rustc -q --release --locked -p kms-import-ffi --lib --crate-type staticlib \
      --target thumbv7em-none-eabihf --target-dir "$dir" \
      --no-default-features --features "firmware${features:+,$features}"
  local lib="$dir/thumbv7em-none-eabihf/release/libkms_import_ffi.a" out="$dir/minimal-image.elf"
  local script="$dir/minimal-image.ld"
  cat > "$script" <<'LD'
MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 4M  RAM : ORIGIN = 0x20000000, LENGTH = 4M }
SECTIONS {
  .text : { *(.text .text.*) } > FLASH
  .rodata : { *(.rodata .rodata.*) } > FLASH
  .data : { *(.data .data.*) } > RAM AT > FLASH
  .bss (NOLOAD) : { *(.bss .bss.* COMMON) } > RAM
  /DISCARD/ : { *(.ARM.exidx .ARM.exidx.* .ARM.extab.*) }
}
LD
  local roots=()
  for f in "${functions[@]}"; do roots+=("--undefined=$f"); done
  "$lld" -flavor gnu --gc-sections -T "$script" -o "$out" "${roots[@]}" \
    --defsym=kms_import_alloc=0x100 --defsym=kms_import_dealloc=0x200 \
    --entry=kms_import_unwrap "$lib"
  if [ -n "$size_tool" ]; then
    "$size_tool" -A "$out" | awk '$1 == ".text" || $1 == ".rodata" { s += $2 } END { print s }'
  else
    python3 - "$out" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<I', data, 0x20); shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x2e)
sections = [struct.unpack_from('<IIIIIIIIII', data, shoff + i * shentsize) for i in range(shnum)]
names = sections[shstrndx][4]
name = lambda off: data[names + off:data.index(b'\0', names + off)].decode()
print(sum(s[5] for s in sections if name(s[0]) in ('.text', '.rodata')))
PY
  fi
}

# Peak heap lines of kat-m4 (heap-only) for one profile: "rsa2048 rsa4096 sm2".
heap() { # features
  local features=$1
  (cd firmware/kat-m4 && cargo build -q --release --locked --no-default-features \
      --target-dir "$kat_target" --features "heap-only${features:+,$features}" >&2)
  local log
  log=$(timeout 300 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic \
    -semihosting-config enable=on,target=native \
    -kernel "$kat_target/thumbv7em-none-eabihf/release/kat-m4")
  local r2 r4 s
  r2=$(sed -n 's/^peak heap: RSA-2048 unwrap.*: \([0-9]*\) bytes$/\1/p' <<<"$log")
  r4=$(sed -n 's/^peak heap: RSA-4096 unwrap.*: \([0-9]*\) bytes$/\1/p' <<<"$log")
  s=$(sed -n 's/^peak heap: SM2PKE unwrap: \([0-9]*\) bytes$/\1/p' <<<"$log")
  echo "${r2:-?} ${r4:-?} ${s:--}"
}

kib() { awk -v b="$1" 'BEGIN { if (b !~ /^[0-9]+$/) print b; else if (b < 1024) printf "%d B", b; else printf "%.1f KiB", b / 1024 }'; }

baseline_file=firmware/size-baseline.txt
case "$mode" in
  --check|--update)
    bytes=$(image_size "" z)
    if [ "$mode" = --update ]; then
      printf 'minimal opt-level=z text+rodata bytes: %s\n' "$bytes" > "$baseline_file"
      echo "size: wrote $baseline_file ($bytes bytes)"
      exit 0
    fi
    base=$(awk -F': ' '{ print $2 }' "$baseline_file")
    limit=$((base + base / 10))
    echo "size: minimal profile, opt-level z: $bytes bytes (.text+.rodata); baseline $base, limit $limit"
    if [ "$bytes" -gt "$limit" ]; then
      echo "size: FAILED: the smallest profile grew by more than 10 % ($bytes > $limit);" \
           "if that is intended, run firmware/size.sh --update and say why in the commit"
      exit 1
    fi
    ;;
  table)
    echo "| profile | core features | .text+.rodata, opt-level z | .text+.rodata, opt-level 3 | peak heap: RSA-2048 unwrap | RSA-4096 unwrap | SM2PKE unwrap |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    for p in "${profiles[@]}"; do
      IFS='|' read -r name ffi kat <<<"$p"
      z=$(image_size "$ffi" z)
      o3=$(image_size "$ffi" 3)
      read -r r2 r4 s <<<"$(heap "$kat")"
      echo "| $name | ${ffi:-(none)} | $z ($(kib "$z")) | $o3 ($(kib "$o3")) | $r2 ($(kib "$r2")) | $r4 ($(kib "$r4")) | $s$( [ "$s" != - ] && echo " ($(kib "$s"))") |"
    done
    ;;
  *)
    echo "usage: $0 [--check|--update]" >&2
    exit 2
    ;;
esac
