# shellcheck shell=bash
# Shared set-up for scripts/test and scripts/demo: finds Odoo 19, builds the virtual environment,
# presents the addon to Odoo as `xero_connector`, and reaches (or starts) PostgreSQL.
# Every step is idempotent; a step that fails removes what it half-made.
#
# Environment (all optional):
#   ODOO_SRC              an Odoo 19 source directory, or an archive (path or URL) of one.
#                         Default: the Odoo of the first `python3` that imports it, else Odoo's
#                         official 19.0 nightly source archive.
#   XERO_CONNECTOR_CACHE  where the virtual environment and downloads live
#                         (default ~/.cache/xero_connector).
#   PGHOST PGPORT PGUSER PGPASSWORD   an existing PostgreSQL to use; without them a private
#                         cluster is started from the machine's PostgreSQL binaries.
#   PYTHON                the interpreter to build the virtual environment from (default python3).

set -o errexit -o nounset -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
CACHE="${XERO_CONNECTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xero_connector}"
ODOO_NIGHTLY_URL="https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
PYTHON="${PYTHON:-python3}"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }

mkdir -p "$LOCAL" "$CACHE"

# ---------------------------------------------------------------------------------------------
# Odoo 19 source
# ---------------------------------------------------------------------------------------------
_odoo_version_of() {  # $1 = source root; prints "MAJOR.MINOR" or nothing
    [ -f "$1/odoo/release.py" ] || return 0
    "$PYTHON" - "$1" <<'EOF' 2>/dev/null || true
import runpy, sys
ns = runpy.run_path(sys.argv[1] + "/odoo/release.py")
print("%s.%s" % ns["version_info"][:2])
EOF
}

_fetch_odoo_archive() {  # $1 = archive path or URL; prints the extracted source root
    local src=$1 key dest archive
    key=$(printf '%s' "$src" | sha256sum | cut -c1-16)
    dest="$CACHE/odoo-src-$key"
    if [ -f "$dest/.complete" ]; then printf '%s\n' "$dest/src"; return; fi
    rm -rf "$dest"; mkdir -p "$dest/src"
    if [ -f "$src" ]; then
        archive=$src
    elif [[ ! "$src" =~ ^(https?|ftp):// ]]; then
        rm -rf "$dest"
        die "ODOO_SRC=$src is neither an Odoo source directory, an archive file nor a URL. Set ODOO_SRC to an Odoo 19.0 source directory (one holding odoo-bin)"
    else
        say "downloading Odoo 19 source from $src"
        archive="$dest/odoo.tar.gz"
        if ! curl -fsSL --retry 2 --connect-timeout 20 -o "$archive" "$src" 2>"$dest.curl.log"; then
            rm -rf "$dest"
            die "could not download Odoo 19 from $src ($(tr '\n' ' ' <"$dest.curl.log" | cut -c1-160)). Provide Odoo 19: set ODOO_SRC to an Odoo 19.0 source directory (one holding odoo-bin) or archive, or make \`$PYTHON -c 'import odoo'\` work"
        fi
    fi
    if ! tar -xf "$archive" -C "$dest/src" --strip-components=1; then
        rm -rf "$dest"; die "$src is not a readable Odoo source archive (tar failed)"
    fi
    [ "$archive" = "$dest/odoo.tar.gz" ] && rm -f "$archive"
    touch "$dest/.complete"
    printf '%s\n' "$dest/src"
}

# Sets ODOO_DIR (source root: holds odoo/ and, for a source checkout, addons/ and odoo-bin).
find_odoo() {
    local how
    if [ -n "${ODOO_SRC:-}" ]; then
        if [ -d "$ODOO_SRC" ]; then ODOO_DIR=$(cd "$ODOO_SRC" && pwd); how="ODOO_SRC"
        else ODOO_DIR=$(_fetch_odoo_archive "$ODOO_SRC"); how="ODOO_SRC archive"; fi
    elif ODOO_DIR=$("$PYTHON" -c 'import os, odoo.release as r; print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))' 2>/dev/null) && [ -n "$ODOO_DIR" ]; then
        how="$PYTHON"
    else
        ODOO_DIR=$(_fetch_odoo_archive "$ODOO_NIGHTLY_URL"); how="nightly archive"
    fi
    [ -f "$ODOO_DIR/odoo/release.py" ] || die "no Odoo source at $ODOO_DIR (from $how): odoo/release.py is missing. Set ODOO_SRC to an Odoo 19.0 source directory"
    local version
    version=$(_odoo_version_of "$ODOO_DIR")
    [ "$version" = "19.0" ] || die "Odoo at $ODOO_DIR (from $how) is version ${version:-unknown}, this addon needs 19.0. Set ODOO_SRC to an Odoo 19.0 source directory"
    ODOO_ADDONS="$ODOO_DIR/odoo/addons"
    [ -d "$ODOO_DIR/addons" ] && ODOO_ADDONS="$ODOO_DIR/addons,$ODOO_ADDONS"
    export ODOO_DIR ODOO_ADDONS
}

# ---------------------------------------------------------------------------------------------
# Virtual environment (cached outside the checkout, keyed by what goes into it)
# ---------------------------------------------------------------------------------------------
_apt_install() {  # best effort: only when the package is missing and we are root
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian packages: ${missing[*]}"
        (apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${missing[@]}" >/dev/null; }) \
            || die "could not install ${missing[*]} (needed to build Odoo's requirements)"
    else
        die "missing system packages ${missing[*]}: install them (apt-get install ${missing[*]})"
    fi
}

# Sets VENV and VPY; links $ROOT/.venv to it.
ensure_venv() {
    local reqs="" key
    [ -f "$ODOO_DIR/requirements.txt" ] && reqs="$ODOO_DIR/requirements.txt"
    key=$( { "$PYTHON" -c 'import sys; print(sys.version)'; echo "$ODOO_DIR"; [ -n "$reqs" ] && cat "$reqs"; cat "$ROOT/requirements-dev.txt"; } | sha256sum | cut -c1-16)
    VENV="$CACHE/venv-$key"
    VPY="$VENV/bin/python"
    if [ ! -f "$VENV/.complete" ]; then
        say "building the virtual environment $VENV (once)"
        rm -rf "$VENV"
        trap 'rm -rf "$VENV"' ERR
        if [ -n "$reqs" ]; then
            _apt_install libldap2-dev libsasl2-dev libpq-dev
            "$PYTHON" -m venv "$VENV"
        else  # an installed Odoo (no requirements.txt): reuse the interpreter's packages
            "$PYTHON" -m venv --system-site-packages "$VENV"
        fi
        "$VPY" -m pip install -q --upgrade pip 'setuptools<81' wheel setuptools_scm
        if [ -n "$reqs" ]; then
            # cbor2 5.4.2 builds only with setuptools<81: build it without isolation first.
            local cbor
            cbor=$(grep -E "^cbor2==" "$reqs" | "$VPY" -c 'import sys
from pip._vendor.packaging.requirements import Requirement
for line in sys.stdin:
    r = Requirement(line.split("#")[0].strip())
    if r.marker is None or r.marker.evaluate(): print(r)' || true)
            [ -n "$cbor" ] && "$VPY" -m pip install -q --no-build-isolation "$cbor"
            "$VPY" -m pip install -q -r "$reqs"
            "$VPY" -c 'import site, sys; open(site.getsitepackages()[0] + "/odoo_source.pth", "w").write(sys.argv[1] + "\n")' "$ODOO_DIR"
        fi
        "$VPY" -m pip install -q -r "$ROOT/requirements-dev.txt"
        "$VPY" -c 'import odoo.release, xmltodict, requests' || die "the virtual environment $VENV cannot import Odoo"
        trap - ERR
        touch "$VENV/.complete"
    fi
    ln -sfn "$VENV" "$ROOT/.venv"
    export VENV VPY
}

# The addon is presented to Odoo as `xero_connector`, whatever the checkout folder is called.
ensure_addons_link() {
    mkdir -p "$LOCAL/addons"
    ln -sfn "$ROOT" "$LOCAL/addons/xero_connector"
    # the bridge with Odoo's Purchase app (xero_connector_purchase/): an addon of its own beside it
    ln -sfn "$ROOT/xero_connector_purchase" "$LOCAL/addons/xero_connector_purchase"
    ADDONS_PATH="$ODOO_ADDONS,$LOCAL/addons"
    export ADDONS_PATH
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
_as_pg() {  # run a PostgreSQL server binary as a non-root user (the server refuses root)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_bindir() {
    local d
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(command -v pg_ctl)"; return; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
    done
    return 1
}

# Sets DB_ARGS (Odoo command-line options) and PSQL (a psql command line).
ensure_postgres() {
    if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
        psql -d postgres -tAc 'select 1' >/dev/null 2>"$LOCAL/pg-check.log" \
            || die "PostgreSQL reached through PG* variables (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-}) does not answer: $(tr '\n\t' '  ' <"$LOCAL/pg-check.log" | cut -c1-300). Fix them, or unset them to use a private cluster"
        DB_ARGS=()
        [ -n "${PGHOST:-}" ] && DB_ARGS+=(--db_host "$PGHOST")
        [ -n "${PGPORT:-}" ] && DB_ARGS+=(--db_port "$PGPORT")
        [ -n "${PGUSER:-}" ] && DB_ARGS+=(--db_user "$PGUSER")
        [ -n "${PGPASSWORD:-}" ] && DB_ARGS+=(--db_password "$PGPASSWORD")
        PSQL=(psql -v ON_ERROR_STOP=1 -d postgres)
        return
    fi
    local bindir pgdir
    bindir=$(_pg_bindir) || die "no PostgreSQL server binaries found (pg_ctl, initdb): install postgresql (apt-get install postgresql) or set PGHOST/PGPORT/PGUSER to an existing server"
    pgdir="$LOCAL/pg"
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$LOCAL" 2>/dev/null; then
        # The server runs as `postgres`, which cannot reach into this checkout: keep the
        # cluster in a world-traversable place and link it here.
        local alt="/var/tmp/xero_connector-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
        mkdir -p "$alt"; [ -L "$pgdir" ] || { rm -rf "$pgdir"; ln -s "$alt" "$pgdir"; }
        pgdir=$alt
    fi
    mkdir -p "$pgdir"
    [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
    if [ ! -f "$pgdir/data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $pgdir"
        _as_pg rm -rf "$pgdir/data"
        _as_pg "$bindir/initdb" -D "$pgdir/data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >"$LOCAL/initdb.log" 2>&1 \
            || { _as_pg rm -rf "$pgdir/data"; die "initdb failed: $(tail -n 3 "$LOCAL/initdb.log")"; }
        _as_pg mkdir -p "$pgdir/run"
        _as_pg tee -a "$pgdir/data/postgresql.conf" >/dev/null <<EOF
# xero_connector private cluster: unix socket only, tuned for tests (not durable).
listen_addresses = ''
unix_socket_directories = '$pgdir/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    fi
    if ! _as_pg "$bindir/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
        say "starting PostgreSQL ($pgdir)"
        _as_pg "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 start >/dev/null \
            || die "PostgreSQL did not start: $(tail -n 3 "$pgdir/server.log" 2>/dev/null)"
    fi
    DB_ARGS=(--db_host "$pgdir/run" --db_user odoo)
    PSQL=(psql -v ON_ERROR_STOP=1 -h "$pgdir/run" -U odoo -d postgres)
    export PGHOST_PRIVATE="$pgdir/run"
}

# Writes an Odoo configuration file ($1) for this set-up: addons path, database server, data dir.
write_odoo_conf() {
    local conf=$1 host="" port="" user="" password=""
    local i
    for ((i = 0; i < ${#DB_ARGS[@]}; i += 2)); do
        case "${DB_ARGS[i]}" in
            --db_host) host=${DB_ARGS[i + 1]} ;;
            --db_port) port=${DB_ARGS[i + 1]} ;;
            --db_user) user=${DB_ARGS[i + 1]} ;;
            --db_password) password=${DB_ARGS[i + 1]} ;;
        esac
    done
    {
        echo "[options]"
        echo "addons_path = $ADDONS_PATH"
        echo "data_dir = $LOCAL/filestore"
        [ -n "$host" ] && echo "db_host = $host"
        [ -n "$port" ] && echo "db_port = $port"
        [ -n "$user" ] && echo "db_user = $user"
        [ -n "$password" ] && echo "db_password = $password"
        echo "http_interface = 127.0.0.1"
        echo "max_cron_threads = 0"
    } >"$conf"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_in_use() {  # $1 = port
    "$PYTHON" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: only a listener counts
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"
}

# The browser tours (tests/test_tour.py) need Debian's Chromium; Odoo would skip them without it.
ensure_chromium() {
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null || _apt_install chromium
}

setup_all() {
    find_odoo
    ensure_venv
    ensure_addons_link
    ensure_postgres
}
