# Shared by tools/run and tools/test: find the repository, install what is missing, say what happens.
# Safe to source more than once; every step is idempotent.

QUARRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$QUARRY_ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages Quarry builds against (headers and pkg-config files of the C libraries). libldap-dev,
# libhiredis-dev and libpq-dev give headers only: libldap, libhiredis and libpq are loaded with dlopen when first
# used, so none is needed to run a Quarry that does not use LDAP, Redis or PostgreSQL (their -dev packages bring the
# libraries for the tests).
QUARRY_BUILD_PACKAGES=(
  pkg-config libwebsockets-dev libcurl4-openssl-dev libsqlite3-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libssl-dev zlib1g-dev libxml2-dev libzip-dev libargon2-dev libldap-dev
  libhiredis-dev libpq-dev
)

# What Quarry runs beside it: poppler's pdftotext and pdftohtml read PDFs (in a child process, so poppler's GPL stays
# outside Quarry's binary).
QUARRY_RUN_PACKAGES=(poppler-utils)

# What tools/package builds the Debian package with: dpkg-shlibdeps and dpkg-deb (dpkg-dev), strip (binutils).
QUARRY_PACKAGE_PACKAGES=(dpkg-dev binutils)

# Installs the Debian packages given that are not installed yet (apt-get; sudo when not root).
ensure_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The tests run slapd as their own process with their own configuration: Debian's slapd is told not to make a
  # system database (its postinst would otherwise make one for this host's domain and start the service).
  if [[ " ${missing[*]} " == *" slapd "* ]]; then
    echo "slapd slapd/no_configuration boolean true" | $sudo debconf-set-selections
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests run redis-server as their own process on a port of their own: the service its package installs and
  # starts is not needed, and is stopped and disabled where systemd runs (a container without it never started it).
  if [[ " ${missing[*]} " == *" redis-server "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
  # The same for PostgreSQL: the tests make and start a cluster of their own; the one Debian's package starts on
  # port 5432 is stopped.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now postgresql >/dev/null 2>&1 || true
  fi
  # And nginx (the load balancer of the two-host test, started with a configuration of its own): its port-80 site
  # is not needed.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    if [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
    else
      $sudo service nginx stop >/dev/null 2>&1 || true
    fi
  fi
}

# Fails early with a clear message when the Swift toolchain is missing.
ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v swift >/dev/null 2>&1 || {
    echo "Quarry needs the Swift 6 toolchain (https://www.swift.org/install/linux/); 'swift' is not on PATH." >&2
    exit 1
  }
}

# What the tests drive and make their documents with: Debian's Chromium (Playwright uses it through executable_path;
# it also prints pages to PDF), qpdf (encrypted PDFs), pandoc (Word, OpenDocument and EPUB files) and the Python 3.11
# documentation (the documents nobody here wrote that the benchmarks and some tests read).
# The package's test (Tests/e2e/test_package.py) also makes a clean Debian 12 root (debootstrap), boots it with
# systemd-nspawn (systemd-container) so that the unit itself runs quarry, and builds the package (dpkg-dev, binutils).
# The tests of `--auth ldap` start their own OpenLDAP server (slapd) and wait for it with ldapsearch (ldap-utils).
# The Redis module's tests start their own redis-server and wait for it with redis-cli (redis-tools, which
# redis-server depends on). The tests of the PostgreSQL client start their own cluster (initdb, postgres,
# pg_isready, createdb from postgresql; the package's own cluster is never used).
QUARRY_TEST_PACKAGES=(chromium qpdf pandoc python3.11-doc sqlite3 debootstrap systemd-container dpkg-dev binutils
  slapd ldap-utils redis-server postgresql nginx-light)

# A Python virtual environment in .venv with the packages in tools/requirements-test.txt.
ensure_python_env() {
  local venv="$QUARRY_ROOT/.venv" stamp="$QUARRY_ROOT/.venv/.requirements"
  if [ ! -x "$venv/bin/python" ]; then
    say "creating the Python environment for tests in .venv"
    python3 -m venv "$venv" 2>/dev/null || {
      ensure_debian_packages python3-venv
      python3 -m venv "$venv"
    }
  fi
  if ! cmp -s "$QUARRY_ROOT/tools/requirements-test.txt" "$stamp"; then
    say "installing Python packages for tests"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$QUARRY_ROOT/tools/requirements-test.txt"
    cp "$QUARRY_ROOT/tools/requirements-test.txt" "$stamp"
  fi
}

# Stock Hotwire Turbo, for the test that checks it applies our envelopes as our patcher does: Turbo 7.1.0 as
# the turbo-django package on PyPI carries it (npm is out of reach here). Kept in .venv, never committed.
ensure_stock_turbo() {
  local target="$QUARRY_ROOT/.venv/stock-turbo/turbo.min.js"
  [ -s "$target" ] && return 0
  say "fetching stock Turbo 7.1.0 (from the turbo-django wheel on PyPI) for the conformance test"
  local scratch
  scratch="$(mktemp -d)"
  "$QUARRY_ROOT/.venv/bin/pip" download -q --disable-pip-version-check --no-deps -d "$scratch" turbo-django==0.4.4
  mkdir -p "$(dirname "$target")"
  "$QUARRY_ROOT/.venv/bin/python" -c 'import sys, zipfile, glob
with zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0]) as z:
    open(sys.argv[2], "wb").write(z.read("turbo/static/turbo/js/turbo.min.js"))' "$scratch" "$target"
  rm -rf "$scratch"
}
