#!/usr/bin/env bash
# Runs every benchmark on the backends of ENTABLE_BENCH_BACKENDS (default
# postgres,sqlite; add mysql for MariaDB) and prints the markdown table on
# stdout. Criterion's progress goes to stderr.
#
#   bench/run.sh                         # the full run
#   bench/run.sh --warm-up-time 1 --measurement-time 2 --sample-size 10
#   KEEP_RESULTS=1 bench/run.sh postgres/1_trivial   # one workload, keep the rest
#
# Arguments go to criterion. Unless KEEP_RESULTS=1, earlier results are
# removed first, so the table comes from one run. JOBS sets cargo's -j.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/entable/bench-target}"
jobs="${JOBS:-$(nproc)}"
backends="${ENTABLE_BENCH_BACKENDS:-postgres,sqlite}"

features=()
if [[ ",$backends," == *",mysql,"* ]]; then
    # Diesel's MySQL connection links libmysqlclient (libmariadb-dev-compat),
    # found the way mysqlclient-sys finds it.
    if pkg-config --exists mysqlclient 2>/dev/null || command -v mysql_config >/dev/null; then
        features=(--features diesel-mysql)
    else
        echo "run.sh: libmysqlclient not found: Diesel is left out on MySQL" >&2
    fi
fi

if [[ -z "${KEEP_RESULTS:-}" ]]; then
    rm -rf "$CARGO_TARGET_DIR/criterion"
fi

cd "$here"
cargo bench -j "$jobs" "${features[@]}" --bench orm -- "$@" 1>&2
cargo run --quiet --release -j "$jobs" "${features[@]}" --bin report
