#!/usr/bin/env bash
# Re-makes every benchmark figure the README quotes, in one command:
#   bash benches/refresh.sh [WORKDIR]
# builds allot, runs `allot bench all` over benches/figures.toml (instances, runs and records
# go to WORKDIR, default a temporary folder; about 10 minutes on 2 cores), keeps the records
# in benches/records.json and benches/records.csv, and rewrites the README's table between
# its markers from them. tests/figures.rs fails when the README and the records disagree.
# Run it on an otherwise idle machine: the figures include wall times and memory.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
# A copy of the binary: a rebuild while the figures run cannot pull it away.
cp target/release/allot "$work/allot"
"$work/allot" bench all --out "$work" >/dev/null
cp "$work/records.json" benches/records.json
cp "$work/records.csv" benches/records.csv
"$work/allot" bench readme --records benches/records.json >"$work/table.md"
awk -v table="$work/table.md" '
  /<!-- figures:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- figures:end -->/ { skip = 0 }
  !skip { print }
' README.md >"$work/README.md"
grep -q '<!-- figures:end -->' "$work/README.md"
cp "$work/README.md" README.md
echo "records: benches/records.json; README table rewritten; work folder: $work"
