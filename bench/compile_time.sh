#!/usr/bin/env bash
# Compile-time benchmark: 100 entities × 10 fields with entable's derive,
# with serde's derives only, and with SeaORM's DeriveEntityModel.
#
# For each crate: its dependencies are built first (not timed); then
#   clean:       `cargo clean -p <crate>` and `cargo build -p <crate>`;
#   incremental: touch one entity file and `cargo build -p <crate>` again.
# Prints wall-clock seconds and CPU seconds (user + sys) as a markdown table.
#
# Environment: COMPILE_BENCH_DIR (default /var/cache/entable/bench-compile)
# holds the generated crates and their shared CARGO_TARGET_DIR; JOBS
# (default: all cores) is passed to cargo as -j.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="${COMPILE_BENCH_DIR:-/var/cache/entable/bench-compile}"
crates="$root/crates"
jobs="${JOBS:-$(nproc)}"
mkdir -p "$root"

# The generator builds with the benchmark crate's own target directory.
CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-/var/cache/entable/bench-target}" \
    cargo run --quiet --release -j "$jobs" --manifest-path "$here/Cargo.toml" \
    --bin gen_compile_bench -- "$crates" >/dev/null

export CARGO_TARGET_DIR="$root/target"
cd "$crates"

timed() { # timed <out-file> <cargo args…>: wall, user, sys seconds into <out-file>
    local out="$1"
    shift
    /usr/bin/time -f '%e %U %S' -o "$out" cargo "$@" -j "$jobs" --quiet
}

results=()
for crate in serde_entities entable_entities seaorm_entities; do
    echo "== $crate: building dependencies" >&2
    # Per crate, so each crate's own feature set of its dependencies is built.
    cargo build -p "$crate" -j "$jobs" --quiet

    echo "== $crate: clean build" >&2
    cargo clean -p "$crate" --quiet
    rm -rf "$CARGO_TARGET_DIR"/debug/incremental/"$crate"-*
    timed /tmp/compile_clean_$$ build -p "$crate"

    echo "== $crate: incremental build after touching one entity" >&2
    touch "$crate/src/e042.rs"
    timed /tmp/compile_incr_$$ build -p "$crate"

    read -r cw cu cs </tmp/compile_clean_$$
    read -r iw iu is </tmp/compile_incr_$$
    results+=("$crate $cw $(awk "BEGIN { print $cu + $cs }") $iw $(awk "BEGIN { print $iu + $is }")")
done
rm -f /tmp/compile_clean_$$ /tmp/compile_incr_$$

serde_cpu=""
echo
echo "100 entities × 10 fields, dev profile, -j $jobs, $(nproc) cores."
echo
echo "| crate | clean: wall s | clean: CPU s | ÷ serde (CPU) | incremental: wall s | incremental: CPU s |"
echo "|---|--:|--:|--:|--:|--:|"
for row in "${results[@]}"; do
    read -r name cw cc iw ic <<<"$row"
    [[ -z "$serde_cpu" ]] && serde_cpu="$cc"
    ratio="$(awk "BEGIN { printf \"%.2f\", $cc / $serde_cpu }")"
    echo "| $name | $cw | $cc | $ratio | $iw | $ic |"
done
echo
echo "Target (issue 5 / STACK.md §5): entable ≤ 3 × serde in CPU seconds."
