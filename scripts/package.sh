#!/usr/bin/env bash
# Builds the Debian package and its software bill of materials:
# target/release/bundle/deb/Kua_<version>_amd64.deb and target/release/bundle/sbom/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd ui && npm run --silent build && npx tauri build --bundles deb)
bash scripts/sbom.sh target/release/bundle/sbom
