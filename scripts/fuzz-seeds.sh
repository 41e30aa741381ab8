#!/usr/bin/env bash
# Makes the seeds of the `vault_file` fuzz target: small real vaults (test KDF, the
# passphrase the target unlocks with), one an interviewer's with a sealed and amended
# testimony, an attachment and a draft, one a coordinator's that imported a bundle;
# of `bundle_reader`: a real bundle to the target's test key, whole and as the tar
# inside its age layer; of `manifest_parser`: that bundle's manifest, the sender's
# minisign public key and the manifest's signature. Run from the repository root after
# `cargo build -p kua-cli`; needs `age` (Debian package age) to open the bundle.
set -euo pipefail
kua="${KUA_BIN:-target/debug/kua}"
out=fuzz/seeds/vault_file
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
export KUA_PASSPHRASE="длинная фраза-пароль"
i="$work/interviewer.kua" c="$work/coordinator.kua"
"$kua" --vault "$i" init --insecure-test-kdf >/dev/null
"$kua" --vault "$c" init --insecure-test-kdf >/dev/null
id=$("$kua" --vault "$i" add - <<'JSON'
{"template": "istanbul-2022", "language": "kk",
 "fields": {"interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы",
  "interviewers": "Сұхбат алушы 3", "events_date": "2022-01", "incident_place": "Тергеу изоляторы",
  "methods": ["beating"], "detaining_authority": "national_guard"},
 "narrative": "Жазба: ұлттық ұлан әскерлері ауруханадан әкетті.",
 "consent": {"given_at": "2022-01-20", "method": "oral", "scope": ["store", "coalition"], "anonymous": false}}
JSON
)
head -c 70000 /dev/zero | tr '\0' 'k' > "$work/фото.jpg"
"$kua" --vault "$i" attach "$id" "$work/фото.jpg" >/dev/null
"$kua" --vault "$i" seal "$id" >/dev/null
echo '{"narrative": "Жазба, толықтыру.", "reason": "толықтыру"}' | "$kua" --vault "$i" amend "$id" - >/dev/null
echo '{"narrative": "жоба"}' | "$kua" --vault "$i" add - >/dev/null
age=$("$kua" --vault "$c" identity --json | sed -n 's/.*"age_recipient": *"\([^"]*\)".*/\1/p')
"$kua" --vault "$i" recipients add coalition "$age" >/dev/null
"$kua" --vault "$i" export --to coalition --all -o "$work/b.kua" >/dev/null
"$kua" --vault "$c" import --trust-new "$work/b.kua" >/dev/null
cp "$i" "$out/interviewer.kua"
cp "$c" "$out/coordinator.kua"
ls -l "$out"

# The test key of fuzz/fuzz_targets/bundle_reader.rs; it protects nothing.
echo "AGE-SECRET-KEY-14L66WQ0TCDMS30TNR38P629VQ70HAEMZKCJ24RJHGVAZDSGPK46SZDJCR0" > "$work/fuzz.key"
"$kua" --vault "$i" recipients add fuzz "$(age-keygen -y "$work/fuzz.key")" >/dev/null
"$kua" --vault "$i" export --to fuzz --all -o "$work/f.kua" >/dev/null
mkdir -p fuzz/seeds/bundle_reader fuzz/seeds/manifest_parser
cp "$work/f.kua" fuzz/seeds/bundle_reader/bundle.kua
age -d -i "$work/fuzz.key" -o fuzz/seeds/bundle_reader/bundle.tar "$work/f.kua"
mkdir "$work/tar"
tar -xf fuzz/seeds/bundle_reader/bundle.tar -C "$work/tar"
cp "$work/tar/manifest.json" "$work/tar/manifest.json.minisig" fuzz/seeds/manifest_parser/
{
  echo "untrusted comment: minisign public key"
  sed -n 's/.*"public_key": *"\([^"]*\)".*/\1/p' "$work/tar/manifest.json"
} > fuzz/seeds/manifest_parser/sender.pub
ls -l fuzz/seeds/bundle_reader fuzz/seeds/manifest_parser
