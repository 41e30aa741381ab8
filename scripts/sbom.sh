#!/usr/bin/env bash
# The software bill of materials of what Kua's .deb ships, as CycloneDX 1.5 JSON: the
# Rust crates compiled into `kua-desktop` and `kua` (build-time crates included: they
# ran on the build machine), and the npm packages the page is built from. Deterministic for a
# commit (SOURCE_DATE_EPOCH is the commit's time). Usage: scripts/sbom.sh [OUT_DIR]
# (default target/release/bundle/sbom, beside the .deb that scripts/package.sh writes).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/release/bundle/sbom}

if ! command -v cargo-cyclonedx >/dev/null 2>&1; then
  echo "sbom: installing cargo-cyclonedx" >&2
  cargo install cargo-cyclonedx --version 0.5.9 --locked --quiet
fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

mkdir -p "$out"
# cargo-cyclonedx writes each binary's file beside its Cargo.toml; they are moved out.
cargo cyclonedx --quiet --format json --spec-version 1.5 --describe binaries \
  --target x86_64-unknown-linux-gnu
mv src-tauri/kua-desktop_bin.cdx.json "$out/kua-desktop.rust.cdx.json"
mv crates/kua-cli/kua_bin.cdx.json "$out/kua.rust.cdx.json"
# Every npm package, the build tools too (they process what the page ships; npm marks
# them "optional" in scope). `--omit dev` would also drop svelte, which the page is.
(cd ui && npm sbom --sbom-format cyclonedx) > "$out/kua-ui.npm.cdx.json"
echo "sbom: $(ls "$out" | tr '\n' ' ')in $out"
