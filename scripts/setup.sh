#!/usr/bin/env bash
# Installs what building and testing Kua needs on a fresh Debian 12 (or Ubuntu) machine.
# Safe to run again: it installs only what is missing.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# C toolchain for the bundled SQLite; age and minisign are the stock tools that the
# benchmarks (and the bundle tests) compare against.
for p in build-essential pkg-config age minisign; do
  pkg_installed "$p" || need_apt+=("$p")
done

if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! have cargo; then
  echo "setup: no Rust toolchain. Install one with rustup (https://rustup.rs), Rust 1.85 or newer; Debian's packaged rustc is too old." >&2
  exit 1
fi
have rustfmt || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
