#!/usr/bin/env bash
# Sets up, builds Kua and runs a short guided session on a new demo vault:
# create, record a testimony, attach a photo, seal, search, amend, verify, read the log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked -p kua-cli
kua=target/release/kua

demo=$(mktemp -d "${TMPDIR:-/tmp}/kua-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
export KUA_VAULT="$demo/demo.kua"
printf 'demo passphrase, not for real use\n' > "$demo/pass.txt"
p=(--passphrase-file "$demo/pass.txt")
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
pause() { if [ -t 0 ]; then read -r -p "(Enter to continue) " _; fi; }

step "Create a vault (the key derivation is calibrated to about 1 s on this machine)" "kua init"
$kua init "${p[@]}"
pause

step "Record a testimony from JSON (Istanbul Protocol template, Russian)" "kua add assets/examples/testimony-ru.json"
id=$($kua add "${p[@]}" assets/examples/testimony-ru.json)
echo "$id"
step "Show it, with the readiness check" "kua show $id"
$kua show "${p[@]}" "$id"
pause

step "Attach a photo of an injury (streamed, encrypted, hashed)" "kua attach $id photo.png"
printf '\x89PNG\r\n\x1a\n(demo image bytes)' > "$demo/photo.png"
$kua attach "${p[@]}" "$id" "$demo/photo.png"

step "Seal it: the content is frozen and its hash is recorded in the signed custody log" "kua seal $id"
$kua seal "${p[@]}" "$id"
pause

step "Search (case-insensitive, Russian and Kazakh; option labels in every language)" "kua search 'ИЗБИЕНИЕ больниц'"
$kua search "${p[@]}" "ИЗБИЕНИЕ больниц"

step "Amend: a new sealed version; version 1 stays as it was" "kua amend $id"
echo '{"fields": {"ill_treatment_dates": "6-8 января 2022"}, "reason": "survivor recalled the dates"}' | $kua amend "${p[@]}" "$id" -
$kua history "${p[@]}" "$id"
pause

step "Verify the whole vault: chain, signatures, every content and evidence hash" "kua verify"
$kua verify "${p[@]}"

step "What is on disk? Only ciphertext:" "grep -c больниц demo.kua"
if grep -q "больниц" "$KUA_VAULT"*; then echo "plaintext found!"; exit 1; else echo "0 matches: no plaintext in the vault or its journal"; fi
pause

step "A coordinator's vault, and the keys the two exchange (compare fingerprints aloud)" "kua identity"
coord=(--vault "$demo/coordinator.kua" --passphrase-file "$demo/pass.txt")
$kua init "${coord[@]}" --insecure-test-kdf >/dev/null 2>&1
$kua identity "${coord[@]}"
recipient=$($kua identity "${coord[@]}" --json | sed -n 's/.*"age_recipient": "\(age1[a-z0-9]*\)".*/\1/p')
$kua recipients add "${p[@]}" coalition "$recipient"
$kua identity "${p[@]}" --minisign-pub -o "$demo/interviewer.pub"
$kua trust add "${coord[@]}" interviewer-3 "$demo/interviewer.pub"

step "Export a signed, encrypted bundle (consent decides what may travel)" "kua export --to coalition --all -o bundle.kua"
$kua export "${p[@]}" --to coalition --all -o "$demo/bundle.kua"

step "The coordinator verifies and imports it: all or nothing, idempotent" "kua import bundle.kua"
$kua import "${coord[@]}" "$demo/bundle.kua"
$kua received "${coord[@]}"
echo
echo "Done. The demo vault is deleted on exit. Try: $kua --help"
