#!/usr/bin/env bash
# Makes the seeds of the `vault_file` fuzz target: small real vaults (test KDF, the
# passphrase the target unlocks with), one an interviewer's with a sealed and amended
# testimony, an attachment and a draft, one a coordinator's that imported a bundle.
# Run from the repository root after `cargo build -p kua-cli`.
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
