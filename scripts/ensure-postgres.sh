#!/usr/bin/env bash
# Makes a PostgreSQL server available to the tests on a Unix socket in .pgtest/.
# Installs Debian's `postgresql` when the binaries are missing (we run as root in CI).
# Prints the URL to use in .pgtest/url; on failure writes the reason to .pgtest/skip
# so that the postgres tests skip loudly instead of failing obscurely.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/.pgtest"
mkdir -p "$dir"
rm -f "$dir/skip"

skip() { echo "$1" > "$dir/skip"; echo "postgres: $1 (postgres tests will be skipped)" >&2; exit 0; }

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir=$(find_bindir)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "postgres: installing Debian package postgresql" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
      || skip "apt-get install postgresql failed"
    bindir=$(find_bindir)
  else
    skip "PostgreSQL binaries not found and cannot install (not root or no apt-get)"
  fi
fi
[ -x "$bindir/initdb" ] || skip "initdb not found after install"

# The server refuses to run as root: use the postgres system user when we are root.
runas=()
owner=$(id -un)
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres 2>/dev/null || skip "no postgres user"
  runas=(runuser -u postgres --)
  owner=postgres
fi

data="$dir/data"
sock="$dir/sock"
mkdir -p "$sock"
chown -R "$owner" "$dir" 2>/dev/null || true
chmod 755 "$here" 2>/dev/null || true

if [ ! -f "$data/PG_VERSION" ]; then
  "${runas[@]}" "$bindir/initdb" -D "$data" -U auditor --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
    || skip "initdb failed"
fi
if ! "${runas[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-k $sock -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null \
    || skip "server did not start, see .pgtest/server.log"
fi
echo "postgresql+psycopg://auditor@/postgres?host=$sock" > "$dir/url"
echo "postgres: ready at $sock" >&2
