#!/usr/bin/env bash
# A throwaway PostgreSQL (15 or later) cluster for running Grove's tests against PostgreSQL.
#
#   scripts/pg_test_cluster.sh start [DIR] [PORT]   start a cluster; prints its DATABASE_URL on stdout
#   scripts/pg_test_cluster.sh stop DIR             stop it and delete DIR
#   scripts/pg_test_cluster.sh url DIR              print the DATABASE_URL of a cluster
#   scripts/pg_test_cluster.sh bindir               print the directory of usable server binaries
#
# DIR defaults to a new temporary directory (named on stderr); PORT defaults to the first free
# port from 54329. Starting a DIR that already holds a cluster made by this script starts it
# again, so a developer can keep one between sessions. The cluster listens on 127.0.0.1 only,
# trusts every local connection and has a superuser `grove` owning a database `grove`, so
# pytest-django can create test_grove (and test_grove_gw0, ... under pytest-xdist).
#
#   export DATABASE_URL=$(scripts/pg_test_cluster.sh start /tmp/grove-pg)
#   make test
#   scripts/pg_test_cluster.sh stop /tmp/grove-pg
#
# PostgreSQL refuses to run as root; run as root, the script runs the server as the system user
# $GROVE_PG_OS_USER (default: `postgres` if it exists, otherwise `grove-ci`, created if missing).
# $PG_BINDIR chooses the server binaries; otherwise the newest 15+ initdb found on PATH or under
# /usr/lib/postgresql/*/bin is used. Durability is off (fsync=off): this is for tests only.
set -euo pipefail

readonly MIN_MAJOR=15
readonly DB_NAME=grove
readonly DB_USER=grove
readonly MARKER=.grove-pg-test-cluster

log() { printf 'pg_test_cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# The major version of the initdb in directory $1, or nothing.
major_of() {
    local out
    out=$("$1/initdb" --version 2>/dev/null) || return 0
    # "initdb (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> 15
    sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p' <<<"$out" | head -n1
}

# The directory of an initdb and pg_ctl of version 15 or later, newest first.
find_bindir() {
    local candidates=() dir major best="" best_major=0
    if [[ -n "${PG_BINDIR:-}" ]]; then
        candidates+=("$PG_BINDIR")
    else
        if command -v initdb >/dev/null 2>&1; then
            candidates+=("$(dirname "$(command -v initdb)")")
        fi
        if command -v pg_config >/dev/null 2>&1; then
            candidates+=("$(pg_config --bindir 2>/dev/null || true)")
        fi
        for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /opt/homebrew/opt/postgresql@*/bin \
            /usr/local/opt/postgresql@*/bin; do
            [[ -d "$dir" ]] && candidates+=("$dir")
        done
    fi
    for dir in "${candidates[@]}"; do
        [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
        major=$(major_of "$dir")
        [[ -n "$major" ]] || continue
        if ((major >= MIN_MAJOR && major > best_major)); then
            best=$dir
            best_major=$major
        fi
    done
    [[ -n "$best" ]] || return 1
    printf '%s\n' "$best"
}

# The OS user that runs the server: ourselves, or a system user when we are root.
os_user() {
    if ((EUID != 0)); then
        id -un
        return
    fi
    if [[ -n "${GROVE_PG_OS_USER:-}" ]]; then
        id "$GROVE_PG_OS_USER" >/dev/null 2>&1 || create_user "$GROVE_PG_OS_USER"
        printf '%s\n' "$GROVE_PG_OS_USER"
    elif id postgres >/dev/null 2>&1; then
        printf 'postgres\n'
    else
        id grove-ci >/dev/null 2>&1 || create_user grove-ci
        printf 'grove-ci\n'
    fi
}

create_user() {
    log "creating system user $1 to run PostgreSQL (it refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$1" >&2
}

# Run a command as the server's OS user, from inside the cluster directory (so the server never
# starts in a directory it cannot read, such as /root).
as_pg() {
    local user=$1
    shift
    if [[ "$user" == "$(id -un)" ]]; then
        (cd "$CLUSTER_DIR" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$CLUSTER_DIR" && runuser -u "$user" -- "$@")
    else
        local quoted
        printf -v quoted '%q ' "$@"
        (cd "$CLUSTER_DIR" && su -s /bin/sh "$user" -c "$quoted")
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for ((port = 54329; port < 54429; port++)); do
        if ! port_in_use "$port"; then
            printf '%s\n' "$port"
            return
        fi
    done
    die "no free port between 54329 and 54428"
}

url_of() {
    printf 'postgres://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$(cat "$1/port")" "$DB_NAME"
}

is_ours() {
    [[ -f "$1/$MARKER" && -f "$1/port" && -d "$1/data" ]]
}

cmd_start() {
    local dir=${1:-} port=${2:-${GROVE_PG_PORT:-}} bindir user fresh=0
    bindir=$(find_bindir) || die "no PostgreSQL $MIN_MAJOR+ server found (initdb, pg_ctl, postgres); \
install it (Debian: apt-get install postgresql-15) or set PG_BINDIR"
    user=$(os_user)

    if [[ -z "$dir" ]]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/grove-pg.XXXXXX")
        log "cluster directory: $dir (stop it with: $0 stop $dir)"
        fresh=1
    elif [[ -d "$dir" ]] && is_ours "$dir"; then
        fresh=0
    elif [[ -d "$dir" && -n "$(ls -A "$dir")" ]]; then
        die "$dir exists, is not empty and is not a cluster made by this script"
    else
        mkdir -p "$dir"
        fresh=1
    fi
    dir=$(cd "$dir" && pwd)
    CLUSTER_DIR=$dir
    # A Unix socket path may hold at most 107 bytes.
    ((${#dir} < 90)) || die "the path $dir is too long for PostgreSQL's socket; use a shorter one"

    if ((fresh)); then
        port=${port:-$(free_port)}
        port_in_use "$port" && die "port $port is already in use"
        printf '%s\n' "$port" >"$dir/port"
        printf '%s\n' "$bindir" >"$dir/bindir"
        printf '%s\n' "$user" >"$dir/os_user"
        mkdir -p "$dir/data" "$dir/socket"
        touch "$dir/$MARKER"
        if ((EUID == 0)); then
            chmod 0755 "$dir"
            chown -R "$user:" "$dir"
            as_pg "$user" test -w "$dir/data" || die "user $user cannot write to $dir: \
choose a directory it can reach (for example under /tmp)"
        fi
        log "$("$bindir/initdb" --version): initdb as $user in $dir/data"
        as_pg "$user" "$bindir/initdb" --pgdata="$dir/data" --username="$DB_USER" --auth=trust \
            --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        cat >>"$dir/data/postgresql.conf" <<EOF

# --- pg_test_cluster.sh: a throwaway cluster for tests ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        # Create the database in single-user mode: needs no client programs and no connection.
        printf 'CREATE DATABASE %s OWNER %s;\n' "$DB_NAME" "$DB_USER" \
            | as_pg "$user" "$bindir/postgres" --single -D "$dir/data" postgres >"$dir/single.log" 2>&1 \
            || { cat "$dir/single.log" >&2; die "could not create database $DB_NAME"; }
        if grep -q -E '(ERROR|FATAL):' "$dir/single.log"; then
            cat "$dir/single.log" >&2
            die "could not create database $DB_NAME"
        fi
    else
        bindir=$(cat "$dir/bindir")
        user=$(cat "$dir/os_user")
        port=$(cat "$dir/port")
    fi

    if as_pg "$user" "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
        log "already running on 127.0.0.1:$port"
    else
        port_in_use "$port" && die "port $port is already in use by another program"
        as_pg "$user" "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 60 >&2 \
            || { tail -n 40 "$dir/postgres.log" >&2 || true; die "PostgreSQL did not start"; }
        log "PostgreSQL $(major_of "$bindir") running on 127.0.0.1:$port (log: $dir/postgres.log)"
    fi
    url_of "$dir"
}

cmd_stop() {
    local dir=${1:-}
    [[ -n "$dir" ]] || usage
    [[ -d "$dir" ]] || { log "$dir does not exist: nothing to stop"; return 0; }
    is_ours "$dir" || die "$dir is not a cluster made by this script; leaving it alone"
    dir=$(cd "$dir" && pwd)
    CLUSTER_DIR=$dir
    local bindir user
    bindir=$(cat "$dir/bindir")
    user=$(cat "$dir/os_user")
    if as_pg "$user" "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
        as_pg "$user" "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >&2 \
            || as_pg "$user" "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w >&2 || true
    fi
    CLUSTER_DIR=/
    rm -rf -- "$dir"
    log "stopped and removed $dir"
}

CLUSTER_DIR=/
case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    url)
        [[ -n "${2:-}" ]] || usage
        is_ours "$2" || die "$2 is not a cluster made by this script"
        url_of "$2"
        ;;
    bindir) find_bindir || die "no PostgreSQL $MIN_MAJOR+ server binaries found" ;;
    *) usage ;;
esac
