#!/usr/bin/env bash
# Installs what building and testing Kua needs on a fresh Debian 12 (or Ubuntu) machine.
# Safe to run again: it installs only what is missing.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# C toolchain for the bundled SQLite and ring; age and minisign are the stock tools that the
# benchmarks (and the bundle tests) compare against. The desktop app needs WebKitGTK
# 4.1 and its friends (see ../shared notes and ARCHITECTURE.md); its end-to-end tests
# need WebKitWebDriver (webkit2gtk-driver) and an X server (xvfb). Recording needs libopus
# (Opus encoding) and ALSA (microphone capture); its tests feed a fake microphone through
# PulseAudio (pulseaudio, pacat, and ALSA's pulse plugin). The coordinator datasets'
# PostgreSQL schema is tested against a real server (postgresql), started by the test.
# Court reports are checked with the stock PDF tools a court would use (poppler-utils:
# pdftotext, pdffonts, pdfinfo, pdfdetach). Long recordings stream to the player as WebM
# Opus through Media Source Extensions, which WebKitGTK offers only with GStreamer's
# Opus parser (opusparse, in gstreamer1.0-plugins-bad; WebKitGTK recommends the package,
# so a desktop install has it); without it the app loads recordings whole, as before.
for p in build-essential pkg-config file age minisign poppler-utils \
         libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev \
         libssl-dev webkit2gtk-driver xvfb libopus-dev libasound2-dev \
         pulseaudio pulseaudio-utils libasound2-plugins postgresql gstreamer1.0-plugins-bad; do
  pkg_installed "$p" || need_apt+=("$p")
done
# The UI is built with Node.js (18 or newer); on these machines apt provides it.
have node || need_apt+=(nodejs)

if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! have cargo; then
  echo "setup: no Rust toolchain. Install one with rustup (https://rustup.rs), Rust 1.92 or newer; Debian's packaged rustc is too old." >&2
  exit 1
fi
have rustfmt || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

if ! have npm; then
  echo "setup: node is installed without npm; install npm (apt-get install npm)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "setup: Node.js $node_major is too old for the UI build; 18 or newer is needed" >&2
  exit 1
fi

# tauri-driver bridges WebDriver clients to WebKitWebDriver for the end-to-end tests.
if ! have tauri-driver; then
  echo "setup: installing tauri-driver" >&2
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# cargo-deny checks the supply-chain policy (deny.toml): licences, banned and duplicate
# crates, sources. Offline; about three minutes to build on two cores.
if ! have cargo-deny; then
  echo "setup: installing cargo-deny" >&2
  cargo install cargo-deny --version 0.20.2 --locked --quiet
fi

# The UI's packages, exactly as locked.
(cd ui && npm ci --no-audit --no-fund --loglevel=error)
