# Shared helpers for the scripts in this folder; sourced, never run.
# Everything here must work on a fresh Debian 12 machine, as root (CI) or as a normal user.

KINTRACE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One pinned uv so every machine resolves the lock file the same way.
KINTRACE_UV_VERSION="0.13.8"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root (CI), through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "Installing system packages needs root; run 'sudo $*' once, then try again."
    else
        die "Installing system packages needs root, and sudo is not available: run '$*' as root."
    fi
}

# Install Debian packages that are not installed yet; quick no-op when all are present.
apt_ensure() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "Installing Debian packages: ${missing[*]}"
    # The lock timeout lets us wait for another apt run instead of failing on the dpkg lock.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

# Create .venv and make it match requirements/lock.txt exactly; the project goes in editable.
# The lock file holds the test tools too: one source of truth, and they cost seconds to install.
venv_sync() {
    cd "$KINTRACE_ROOT"
    # Tests that run these scripts from inside the installed suite set this: nothing to install.
    [ "${KINTRACE_SKIP_INSTALL:-}" = "1" ] && [ -x .venv/bin/kintrace ] && return 0
    # "python3 -m uv" finds uv wherever pip put it (system site-packages or the user's).
    if [ "$(python3 -m uv --version 2>/dev/null | cut -d' ' -f2)" != "$KINTRACE_UV_VERSION" ]; then
        say "Installing uv $KINTRACE_UV_VERSION"
        python3 -m pip install -q --disable-pip-version-check "uv==$KINTRACE_UV_VERSION" 2>/dev/null \
            || python3 -m pip install -q --disable-pip-version-check --user "uv==$KINTRACE_UV_VERSION"
    fi
    local uv=(python3 -m uv)
    if [ ! -x .venv/bin/python ]; then
        say "Creating .venv (Python 3.11)"
        "${uv[@]}" venv -q .venv -p 3.11
    fi
    local stamp=.venv/.kintrace-lock-stamp want
    want="$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -c1-16)"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0  # already in sync: the second run of a script stays quick
    fi
    say "Installing pinned dependencies from requirements/lock.txt"
    # Bytecode is compiled once here: machines that set PYTHONDONTWRITEBYTECODE (CI does)
    # would otherwise compile pandas, DuckDB and the rest from source at every start of
    # `kintrace link` or `serve` (import time 6.4-7.1 s CPU -> 2.2 s, measured).
    "${uv[@]}" pip sync -q -p .venv --compile-bytecode requirements/lock.txt
    "${uv[@]}" pip install -q -p .venv -e . --no-deps
    .venv/bin/python -m compileall -q -j 0 src >/dev/null
    echo "$want" >"$stamp"
}
