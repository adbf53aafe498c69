# Throwaway PostgreSQL 15 on 127.0.0.1 for tests. Source this file, then:
#
#   pgtmp_start || exit 1      # sets PGTMP_DIR, PGTMP_PORT, PGTMP_URI
#   trap pgtmp_stop EXIT
#
# The cluster lives in a temp dir with its socket there too (-k), never in /var/run/postgresql.
# initdb refuses to run as root, so as root the server runs as the `postgres` system user.
# fsync and friends are off: the data is disposable.

PGTMP_BIN=${PGTMP_BIN:-/usr/lib/postgresql/15/bin}

_pgtmp_run() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pgtmp_start() {
    PGTMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/scimd-pg.XXXXXX") || return 1
    export PGTMP_DIR
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$PGTMP_DIR"
    fi
    if ! _pgtmp_run "$PGTMP_BIN/initdb" -D "$PGTMP_DIR/data" -U scim -A trust -E UTF8 \
            --locale=C.UTF-8 --no-sync >"$PGTMP_DIR/initdb.log" 2>&1; then
        cat "$PGTMP_DIR/initdb.log" >&2
        return 1
    fi
    local attempt port
    for attempt in 1 2 3 4 5 6; do
        # Stay below Linux's ephemeral range (32768+) so outgoing connections cannot hold it.
        port=$((20000 + RANDOM % 12000))
        if _pgtmp_run "$PGTMP_BIN/pg_ctl" -D "$PGTMP_DIR/data" -l "$PGTMP_DIR/server.log" -w -t 30 \
                -o "-c listen_addresses=127.0.0.1 -p $port -k $PGTMP_DIR -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
                start >/dev/null 2>&1; then
            export PGTMP_PORT=$port
            export PGTMP_URI="postgresql://scim@127.0.0.1:$port/postgres"
            return 0
        fi
        echo "pgtmp: port $port unavailable (attempt $attempt)" >&2
    done
    tail -5 "$PGTMP_DIR/server.log" >&2
    return 1
}

# Stops the server and removes its directory. Safe to call twice or before pgtmp_start.
pgtmp_stop() {
    if [ -z "${PGTMP_DIR:-}" ]; then
        return 0
    fi
    if [ -f "$PGTMP_DIR/data/postmaster.pid" ]; then
        _pgtmp_run "$PGTMP_BIN/pg_ctl" -D "$PGTMP_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP_DIR"
    unset PGTMP_DIR PGTMP_PORT PGTMP_URI
}
