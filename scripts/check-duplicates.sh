#!/usr/bin/env bash
# Fails if the dependency tree holds two versions of any cryptographic crate the project
# uses: the vault and the bundles must share one RustCrypto generation (ARCHITECTURE.md).
set -euo pipefail
crypto='^(aead|argon2|blake2|chacha20|chacha20poly1305|cipher|curve25519-dalek|digest|ed25519|ed25519-dalek|hkdf|hmac|poly1305|rand_core|secrecy|sha2|subtle|universal-hash|x25519-dalek|zeroize) '
dups=$(cargo tree -d --workspace --locked -e normal --depth 0 --prefix none --format '{p}' | sed 's/ (.*//' | sort -u | grep -E "$crypto" || true)
if [ -n "$dups" ]; then
  echo "duplicate crypto crates:" >&2
  echo "$dups" >&2
  exit 1
fi
echo "no duplicate crypto crates"
