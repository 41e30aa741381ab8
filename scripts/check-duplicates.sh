#!/usr/bin/env bash
# Fails if the dependency tree holds two versions of a cryptographic crate, unless every
# extra copy is reached only through the `age` crate's own translation-embedding stack
# (rust-embed hashes its files with the newer sha2). The vault and the bundles share
# one RustCrypto generation; ARCHITECTURE.md says which and why.
set -euo pipefail
crypto='^(aead|argon2|blake2|chacha20|chacha20poly1305|cipher|curve25519-dalek|digest|ed25519|ed25519-dalek|hkdf|hmac|poly1305|rand_core|ring|secrecy|sha2|subtle|universal-hash|x25519-dalek|zeroize) '
# Direct dependents through which a second copy is tolerated: age's embedding stack and
# the second copy's own generation (digest 0.11 under sha2 0.11).
tolerated='^(rust-embed-utils|rust-embed-impl|rust-embed|sha2|digest|crypto-common|block-buffer) '

dups=$(cargo tree -d --workspace --locked -e normal --depth 0 --prefix none --format '{p}' | sed 's/ (.*//' | sort -u | grep -E "$crypto" || true)
bad=""
for name in $(echo "$dups" | awk 'NF {print $1}' | sort -u); do
  # Versions of this crate that something outside the tolerated stack uses.
  used=()
  for version in $(echo "$dups" | awk -v n="$name" '$1 == n {print $2}'); do
    parents=$(cargo tree -i "$name@${version#v}" --workspace --locked -e normal --depth 1 --prefix none --format '{p}' \
      | sed 's/ (.*//' | sort -u | grep -v "^$name $version\$" || true)
    if echo "$parents" | grep -qvE "$tolerated"; then
      used+=("$version")
    fi
  done
  if [ ${#used[@]} -gt 1 ]; then
    bad+="$name: ${used[*]}"$'\n'
  fi
done

if [ -n "$bad" ]; then
  echo "duplicate crypto crates:" >&2
  printf '%s' "$bad" >&2
  exit 1
fi
if [ -n "$dups" ]; then
  echo "one generation of every crypto crate we use; tolerated, only inside age's embedding stack:"
  echo "$dups" | sed 's/^/  /'
else
  echo "no duplicate crypto crates"
fi
