#!/usr/bin/env bash
# Every test of Kua, from a fresh machine: setup, formatting, lints, the dependency rule,
# unit and integration tests of every crate. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== rustfmt"
cargo fmt --all --check

echo "== clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== one generation of each crypto crate (cargo tree -d)"
bash scripts/check-duplicates.sh

echo "== tests"
cargo test --workspace --locked

echo "== benchmarks compile (run them with: cargo bench -p kua-core --bench vault)"
cargo build --release --locked -p kua-core --benches
