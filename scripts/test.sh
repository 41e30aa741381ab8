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

echo "== supply chain: licences, bans (no network clients, one generation of crypto) and sources (deny.toml), npm licences"
# cargo-deny reads every package of the lock file, other platforms' too: fetch them from
# the registry first, then check without the network (no advisory database).
cargo fetch --locked --quiet
cargo deny --offline check licenses bans sources
(cd ui && node scripts/licences.mjs)
# The bill of materials the .deb ships with (scripts/package.sh) is made and names what
# it must: the crypto, the vault's database, the layout engine, the page's framework.
sbom=$(mktemp -d)
bash scripts/sbom.sh "$sbom"
python3 - "$sbom" <<'PY'
import json, sys
d = sys.argv[1]
for f, names in (("kua-desktop.rust", ["age", "ring", "kua-core", "rusqlite", "typst", "tauri"]),
                 ("kua.rust", ["age", "ring", "kua-core", "rusqlite", "typst"]),
                 ("kua-ui.npm", ["svelte", "pdfjs-dist", "@tauri-apps/api"])):
    bom = json.load(open(f"{d}/{f}.cdx.json"))
    have = {c["name"] for c in bom.get("components", [])}
    missing = [n for n in names if n not in have]
    assert bom["bomFormat"] == "CycloneDX" and not missing, f"{f}: missing {missing}"
    print(f"   {f}: {len(have)} components")
PY
rm -rf "$sbom"

echo "== tests"
cargo test --workspace --locked

echo "== PostgreSQL: two coordinators' datasets give the counts of kua stats"
bash scripts/test-postgres.sh

echo "== end-to-end: the desktop app in a real window (Xvfb, tauri-driver, WebKitWebDriver)"
cargo build --locked -p kua-desktop --features e2e
(cd ui && npm run --silent e2e)
echo "   screenshots: e2e-artifacts/screenshots/{en,kk,ru}/"

echo "== benchmarks compile (run them with: cargo bench -p kua-core --bench vault; cargo bench -p kua-analysis --bench analysis; cargo bench -p kua-case --bench cases; cargo bench -p kua-report --bench report)"
# In the dev profile, which `cargo test` above shares, so that its dependencies are
# reused: an optimised build of them (typst among them) took 17 minutes of a 49-minute
# fresh-clone run only to show that they compile. `cargo bench` builds them optimised
# when they are run.
cargo build --locked -p kua-core -p kua-analysis -p kua-case -p kua-report --benches
