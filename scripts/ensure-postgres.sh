#!/usr/bin/env bash
# Makes a PostgreSQL server available to the tests on a Unix socket.
# Installs Debian's `postgresql` when the binaries are missing (we run as root in CI),
# initdb's a throw-away cluster (trust auth, no TCP) and starts it, or reuses the one
# already running. Writes the URL to .pgtest/url; on failure writes the reason to
# .pgtest/skip so the postgres tests skip loudly instead of failing obscurely.
# Safe to run any number of times; survives a stale postmaster.pid after a reboot.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/.pgtest"
cd /  # the server user may not be allowed into the working directory
mkdir -p "$dir"
rm -f "$dir/skip" "$dir/url"

skip() { echo "$1" > "$dir/skip"; echo "postgres: $1 (postgres tests will be skipped)" >&2; exit 0; }

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir=$(find_bindir)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "postgres: installing Debian package postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Debian's package would create and start a system cluster: we only want binaries.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/auditor-tests.conf
    (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) \
      || skip "apt-get install postgresql failed"
    bindir=$(find_bindir)
  else
    skip "PostgreSQL binaries not found and cannot install (not root or no apt-get)"
  fi
fi
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || skip "initdb not found after install"

# The server refuses to run as root: use the postgres system user when we are root.
runas=()
owner=$(id -un)
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres 2>/dev/null \
    || skip "no postgres system user and useradd failed"
  runas=(runuser -u postgres --)
  owner=postgres
fi

# The cluster lives in .pgtest/ unless the server user cannot reach it (a checkout under
# a private home, e.g. /root/x): then in a directory of its own under /tmp, keyed by
# the checkout path so that two checkouts never share a cluster.
home="$dir"
if ! "${runas[@]}" test -x "$dir" 2>/dev/null; then
  chmod o+x "$here" "$dir" 2>/dev/null || true
  if ! "${runas[@]}" test -x "$dir" 2>/dev/null; then
    key=$(printf '%s' "$here" | sha256sum | cut -c1-12)
    home="${TMPDIR:-/tmp}/auditor-pgtest-$key"
    mkdir -p "$home"
    echo "postgres: $owner cannot traverse $here, cluster in $home" >&2
  fi
fi
data="$home/data"
sock="$home/sock"
log="$home/server.log"
mkdir -p "$sock"
chown "$owner" "$home" "$sock" 2>/dev/null || true

ready() { "$bindir/pg_isready" -q -h "$sock" -t 5 >/dev/null 2>&1; }

if [ -f "$data/PG_VERSION" ] && [ "$(cat "$data/PG_VERSION")" != "$(basename "$(dirname "$bindir")")" ]; then
  # Cluster from another major version (binaries upgraded): it is test data, start over.
  ready && "${runas[@]}" "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1
  rm -rf "$data"
fi
if ! ready; then
  # A server still running for this path whose folder was deleted and made again (e.g.
  # `rm -rf checkout && git clone … checkout` while it ran) would, on noticing its lost
  # lock file, shut down and delete the socket of the server we start now: stop it first.
  for pid in $(pgrep -f -- "postgres -D $data( |\$)" 2>/dev/null); do
    [ "$pid" = "$(head -n 1 "$data/postmaster.pid" 2>/dev/null)" ] && continue
    kill -QUIT "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
fi
if [ ! -f "$data/PG_VERSION" ]; then
  rm -rf "$data"
  "${runas[@]}" "$bindir/initdb" -D "$data" -U auditor --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$home/initdb.log" 2>&1 || skip "initdb failed, see $home/initdb.log"
fi

if ! ready; then
  # Not answering: any postmaster.pid is stale (e.g. the machine restarted and its pid now
  # belongs to an unrelated process, which would make pg_ctl believe it is running).
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && ! { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$data"; then
    rm -f "$data/postmaster.pid" "$sock"/.s.PGSQL.*
  fi
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-k $sock -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1 || true
  ready || skip "server did not start, see $log"
fi
echo "postgresql+psycopg://auditor@/postgres?host=$sock" > "$dir/url"
echo "postgres: ready at $sock" >&2
