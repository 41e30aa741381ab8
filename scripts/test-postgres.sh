#!/usr/bin/env bash
# The union of several coordinators' datasets in PostgreSQL gives the counts `kua stats`
# gives on a vault that received everything. Two interviewers send to three coordinators
# (one record reaches two of them, one is amended after the first sending); the datasets
# of coordinators 1 and 2 are loaded with assets/sql/{schema,load}.sql into a PostgreSQL
# server this script starts in a temporary directory; its counts must equal those of
# coordinator 3. Needs the `kua` binary (cargo build -p kua-cli) and PostgreSQL's
# server binaries (Debian package postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
kua=${KUA_BIN:-$root/target/debug/kua}
[ -x "$kua" ] || { echo "test-postgres: $kua is missing; run cargo build -p kua-cli" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || { echo "test-postgres: PostgreSQL server binaries are missing (apt-get install postgresql)" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
cleanup() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

export KUA_PASSPHRASE="test passphrase for postgres"
k() { local v=$1; shift; KUA_VAULT="$tmp/$v.kua" "$kua" "$@"; }
for v in a b c1 c2 c3; do k "$v" init --insecure-test-kdf >/dev/null 2>&1; done
for s in a b; do k "$s" identity --minisign-pub -o "$tmp/$s.pub" >/dev/null 2>&1; done
for c in c1 c2 c3; do
  for s in a b; do k "$c" trust add "field-$s" "$tmp/$s.pub" >/dev/null 2>&1; done
  key=$(k "$c" identity --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).age_recipient))')
  for s in a b; do k "$s" recipients add "$c" "$key" >/dev/null 2>&1; done
done

add() { # vault region methods-json sex
  local fields='"interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы", "interviewers": "Сұхбат алушы", "events_date": "2022-01-06", "incident_place": "СИЗО", "detaining_authority": "police"'
  [ "$2" != none ] && fields="$fields, \"events_region\": \"$2\""
  [ "$4" != none ] && fields="$fields, \"gender\": \"$4\""
  local id
  id=$(printf '{"language": "ru", "narrative": "…", "fields": {%s, "methods": %s}, "consent": {"given_at": "2022-01-20", "method": "oral", "scope": ["store", "coalition"], "anonymous": true}}' "$fields" "$3" | k "$1" add -)
  k "$1" seal "$id" >/dev/null 2>&1
  echo "$id"
}
a1=$(add a KZ-75 '["beating", "electric_shock"]' male)
add a KZ-75 '["beating"]' female >/dev/null
add a none '["burns", "beating"]' none >/dev/null
add b KZ-79 '["electric_shock"]' male >/dev/null
add b KZ-10 '["sexual_violence", "beating"]' female >/dev/null
k a export --to c1 --to c2 --to c3 --all -o "$tmp/a1.bundle" >/dev/null
k b export --to c2 --to c3 --all -o "$tmp/b1.bundle" >/dev/null
# The amendment (a new region and methods) reaches coordinators 1 and 3 only; the union
# keeps it, with its rows in the methods table and none of the old ones.
echo '{"fields": {"events_region": "KZ-19", "methods": ["suspension"]}, "reason": "region corrected"}' > "$tmp/amend.json"
k a amend "$a1" "$tmp/amend.json" >/dev/null
k a export --to c1 --to c3 --since-last -o "$tmp/a2.bundle" >/dev/null
for b in a1 a2; do k c1 import "$tmp/$b.bundle" >/dev/null; k c3 import "$tmp/$b.bundle" >/dev/null; done
k c2 import "$tmp/a1.bundle" >/dev/null
for b in b1; do k c2 import "$tmp/$b.bundle" >/dev/null; k c3 import "$tmp/$b.bundle" >/dev/null; done
k c1 dataset export -o "$tmp/ds1" --lang ru >/dev/null
k c2 dataset export -o "$tmp/ds2" --lang kk >/dev/null
chmod -R a+rX "$tmp"

mkdir "$tmp/pg" "$tmp/sock"
[ ${#as_pg[@]} -eq 0 ] || chown postgres "$tmp/pg" "$tmp/sock"
"${as_pg[@]}" "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -w -l "$tmp/pg/log" \
  -o "-k $tmp/sock -c listen_addresses=''" start >/dev/null
psql=("$pgbin/psql" -X -q -h "$tmp/sock" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${psql[@]}" -f "$root/assets/sql/schema.sql"
# Coordinator 2's dataset (with the first version of the amended record) first, so that
# coordinator 1's later version must replace it, child rows included.
for d in ds2 ds1; do "${psql[@]}" -v dir="$tmp/$d" -f "$root/assets/sql/load.sql"; done
snapshot() { "${psql[@]}" -A -t -c "SELECT (SELECT count(*) FROM testimonies), (SELECT count(*) FROM methods), (SELECT string_agg(source || record_id || version, ',' ORDER BY record_id) FROM testimonies)"; }
before=$(snapshot)
# Loading a dataset again, or an older one, changes nothing.
for d in ds1 ds2; do "${psql[@]}" -v dir="$tmp/$d" -f "$root/assets/sql/load.sql"; done
[ "$(snapshot)" = "$before" ] || { echo "test-postgres: loading a dataset again changed the union" >&2; exit 1; }

# Both sides as "code count" lines, "null" for not recorded, zeros left out, sorted.
pg() { "${psql[@]}" -A -t -F ' ' -c "$1" | sort; }
stats() {
  k c3 stats --by "$1" --json | node -e '
    let s=""; process.stdin.on("data", d => s += d).on("end", () => {
      const t = JSON.parse(s);
      const dim = t.by[0];
      const lines = t.rows.filter(r => r.count !== 0).map(r => `${r[dim] ?? "null"} ${r.count}`);
      console.log(["total " + t.total, ...lines].sort().join("\n"));
    });'
}
compare() { # what, psql output, kua output
  if [ "$2" != "$3" ]; then
    echo "test-postgres: $1 differ" >&2
    diff <(echo "$2") <(echo "$3") >&2 || true
    exit 1
  fi
  echo "   $1: $(echo "$2" | tr '\n' ';')"
}
total="total $("${psql[@]}" -A -t -c 'SELECT count(*) FROM testimonies')"
compare "regions" \
  "$( (echo "$total"; pg "SELECT coalesce(events_region, 'null'), count(*) FROM testimonies GROUP BY 1") | sort)" \
  "$(stats region)"
compare "methods (records, not answers)" \
  "$( (echo "$total"; pg "SELECT method, count(DISTINCT (source, record_id)) FROM methods GROUP BY 1") | sort)" \
  "$(stats method)"
compare "sex" \
  "$( (echo "$total"; pg "SELECT coalesce(gender, 'null'), count(*) FROM testimonies GROUP BY 1") | sort)" \
  "$(stats sex)"
echo "   PostgreSQL union of 2 coordinators' datasets = kua stats on the vault that received both"
