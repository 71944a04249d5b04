#!/usr/bin/env bash
# A throwaway PostgreSQL (15 or later) server for tests and benchmarks, built from the machine's own
# binaries (installed with apt-get when missing).
#
#   scripts/pg-server.sh start DIR PORT   wipes DIR, starts a server on 127.0.0.1:PORT and prints its URL
#   scripts/pg-server.sh stop DIR         stops the server started in DIR (immediately: nothing to keep)
#
# Layout: DIR/data (the cluster), DIR/socket (unix socket), DIR/log (server and set-up log).
# The only line written to stdout is the URL: postgres://tollbooth@127.0.0.1:PORT/tollbooth
# Durability is switched off (fsync, synchronous_commit, full_page_writes): never keep data here.
set -euo pipefail

MIN_VERSION=15
PG_USER=tollbooth
MARKER=.tollbooth-pg-server

die() {
  echo "pg-server: $*" >&2
  exit 1
}
say() { echo "pg-server: $*" >&2; }

usage() {
  cat >&2 <<'EOF'
usage: scripts/pg-server.sh start DIR PORT
       scripts/pg-server.sh stop DIR
EOF
  exit 2
}

# Major version of a PostgreSQL bin directory ("15"), or nothing.
bin_version() {
  local v
  v=$("$1/initdb" --version 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1)
  echo "${v:-}"
}

# Sets PG_BIN to the newest directory holding initdb and pg_ctl, version >= MIN_VERSION.
find_binaries() {
  local candidates=() dir best="" best_v=0 v
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
  fi
  for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] && candidates+=("$dir")
  done
  for dir in "${candidates[@]+"${candidates[@]}"}"; do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
    v=$(bin_version "$dir")
    [[ -n $v ]] || continue
    if ((v >= MIN_VERSION && v > best_v)); then
      best=$dir
      best_v=$v
    fi
  done
  PG_BIN=$best
  PG_VERSION=$best_v
  [[ -n $PG_BIN ]]
}

install_postgresql() {
  say "no PostgreSQL >= $MIN_VERSION found; installing it with apt-get"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and installing it needs root (or sudo)."
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL >= $MIN_VERSION is not installed and there is no apt-get: install it and retry."
  {
    "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql
  } </dev/null 1>&2
}

# Runs a command as the owner of the cluster: initdb and pg_ctl refuse to run as root.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$PG_USER" -- "$@"
    else
      su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

ensure_owner_user() {
  [[ $(id -u) -eq 0 ]] || return 0
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  say "creating the unprivileged system user $PG_USER (initdb refuses to run as root)"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
  elif command -v adduser >/dev/null 2>&1; then
    adduser --system --group --no-create-home --home /nonexistent --shell /usr/sbin/nologin "$PG_USER" >&2
  else
    die "cannot create user $PG_USER: neither useradd nor adduser is available."
  fi
}

# The directory must be ours (marker) or empty before it is wiped: never delete someone's files.
wipe_dir() {
  local dir=$1
  if [[ -e $dir ]]; then
    [[ -d $dir ]] || die "$dir exists and is not a directory."
    if [[ ! -e $dir/$MARKER && -n $(ls -A "$dir") ]]; then
      die "$dir is not empty and was not made by this script; refusing to wipe it."
    fi
    if [[ -f $dir/data/postmaster.pid ]]; then
      say "stopping a server left running in $dir"
      stop_server "$dir" || true
    fi
    rm -rf "${dir:?}"/* "${dir:?}"/.[!.]* 2>/dev/null || true
  fi
  mkdir -p "$dir"
  touch "$dir/$MARKER"
}

stop_server() {
  local dir=$1
  [[ -f $dir/data/postmaster.pid ]] || return 0
  find_binaries || die "cannot find pg_ctl to stop the server in $dir."
  if [[ $(id -u) -eq 0 && $(stat -c %U "$dir/data") != root ]]; then
    PG_USER=$(stat -c %U "$dir/data")
  fi
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >>"$dir/log" 2>&1 || {
    # Not running (stale pid file) is fine; anything else is reported.
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      die "could not stop the server in $dir (see $dir/log)."
    fi
  }
}

cmd_start() {
  local dir=$1 port=$2
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    die "PORT must be a TCP port number, got '$port'."
  fi
  [[ $dir == /* ]] || dir="$PWD/$dir"
  [[ $dir != / ]] || die "refusing to use / as the server directory."

  if ! find_binaries; then
    install_postgresql
    find_binaries || die "PostgreSQL >= $MIN_VERSION still not found after installing it."
  fi
  say "PostgreSQL $PG_VERSION from $PG_BIN"

  ensure_owner_user
  wipe_dir "$dir"
  mkdir -p "$dir/data" "$dir/socket"
  : >"$dir/log"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R "$PG_USER:" "$dir"
    chmod 700 "$dir/data"
    as_owner test -w "$dir/data" ||
      die "user $PG_USER cannot reach $dir: use a directory whose parents it can enter (e.g. under /tmp)."
  fi

  as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C \
    --no-sync >>"$dir/log" 2>&1 || die "initdb failed (see $dir/log)."

  cat >>"$dir/data/postgresql.conf" <<EOF

# Throwaway server for tests and benchmarks (scripts/pg-server.sh): speed over durability.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
checkpoint_timeout = 30min
logging_collector = off
log_min_messages = warning
EOF

  local out
  if ! out=$(as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start 2>&1); then
    echo "$out" >>"$dir/log"
    tail -n 20 "$dir/log" >&2 || true
    die "the server did not start (see $dir/log); is port $port already in use?"
  fi

  local isready="$PG_BIN/pg_isready" psql="$PG_BIN/psql"
  [[ -x $psql ]] || psql=$(command -v psql) || die "psql not found."
  local tries=0
  if [[ -x $isready ]]; then
    until "$isready" -q -h 127.0.0.1 -p "$port" -U "$PG_USER" -d postgres; do
      ((++tries < 100)) || die "the server on port $port is not accepting connections (see $dir/log)."
      sleep 0.1
    done
  fi

  local conn=(-X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PG_USER")
  "$psql" "${conn[@]}" -d postgres >/dev/null <<SQL || die "could not create the role and database."
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN SUPERUSER;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $PG_USER OWNER $PG_USER'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_USER') \gexec
SQL
  echo "postgres://$PG_USER@127.0.0.1:$port/$PG_USER"
}

case "${1:-}" in
  start)
    [[ $# -eq 3 ]] || usage
    cmd_start "$2" "$3"
    ;;
  stop)
    [[ $# -eq 2 ]] || usage
    dir=$2
    [[ $dir == /* ]] || dir="$PWD/$dir"
    [[ -d $dir ]] || die "no server directory $dir."
    stop_server "$dir"
    ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
