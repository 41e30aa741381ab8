#!/usr/bin/env bash
# Every test of Kua, from a fresh machine: setup, formatting, lints, the dependency rule,
# unit and integration tests of every crate, the UI's checks and unit tests, and the
# end-to-end tests in the real app window. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== UI: type check, unit tests, build (the shell embeds ui/dist)"
(cd ui && npm run --silent check && npm test --silent && npm run --silent build)

echo "== rustfmt"
cargo fmt --all --check

echo "== clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== one generation of each crypto crate (cargo tree -d)"
bash scripts/check-duplicates.sh

echo "== tests"
cargo test --workspace --locked

echo "== PostgreSQL: two coordinators' datasets give the counts of kua stats"
bash scripts/test-postgres.sh

echo "== end-to-end: the desktop app in a real window (Xvfb, tauri-driver, WebKitWebDriver)"
cargo build --locked -p kua-desktop --features e2e
(cd ui && npm run --silent e2e)
echo "   screenshots: e2e-artifacts/screenshots/{en,kk,ru}/"

echo "== benchmarks compile (run them with: cargo bench -p kua-core --bench vault; cargo bench -p kua-analysis --bench analysis; cargo bench -p kua-case --bench cases; cargo bench -p kua-report --bench report)"
cargo build --release --locked -p kua-core -p kua-analysis -p kua-case -p kua-report --benches
