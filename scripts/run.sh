#!/usr/bin/env bash
# Sets up a fresh machine, builds the desktop app (release) and starts it.
# Extra arguments go to the app (for example `--home DIR` to keep its settings and
# default vault in DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
(cd ui && npm run --silent build)
cargo build --release --locked -p kua-desktop
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display (DISPLAY or WAYLAND_DISPLAY); start it from a desktop session" >&2
  exit 1
fi
exec target/release/kua-desktop "$@"
