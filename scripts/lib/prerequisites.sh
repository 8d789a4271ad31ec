# Shared by scripts/run, scripts/test and scripts/bench: checks what the stack needs and installs what it can.
# Sourced, not executed.

fail() {
  echo "error: $*" >&2
  exit 1
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 \
    || fail "the .NET SDK is not installed: install .NET 10 (https://dot.net), then run this again."
}

container_runtime_answers() {
  # The settings the AppHost reads to pick the runtime, in its order.
  local runtime="${ASPIRE_CONTAINER_RUNTIME:-${DOTNET_ASPIRE_CONTAINER_RUNTIME:-docker}}"
  command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1
}

postgres_installed() {
  command -v postgres >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

local_servers_installed() {
  command -v redis-server >/dev/null 2>&1 && postgres_installed
}

# Installs packages from the distribution's packages, as root or through sudo; $1 names them for the messages,
# $2 is the package list, $3 what to install by hand where there is no apt-get.
apt_install() {
  local what="$1" packages="$2" elsewhere="$3"
  command -v apt-get >/dev/null 2>&1 \
    || fail "$what not installed and this is not a Debian/Ubuntu machine: $elsewhere"

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || fail "$what missing: run 'apt-get update && apt-get install -y $packages' as root, then run this again."
    sudo="sudo"
  fi

  echo "Installing $packages from the distribution's packages..."
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || fail "apt-get update failed, so $packages cannot be installed: run 'sudo apt-get update' yourself and look at its output."
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null \
    || fail "could not install $packages: run 'sudo apt-get install -y $packages' yourself and look at its output."
}

# Installs Redis and PostgreSQL from the distribution's packages when they are missing.
ensure_local_servers() {
  if ! local_servers_installed; then
    apt_install "Redis and PostgreSQL are" "redis-server postgresql" \
      "install redis-server (7+) and PostgreSQL (15+), or start Docker."
    local_servers_installed || fail "redis-server postgresql installed, but redis-server or postgres is still not found."
  fi
  require_redis_7
}

# The services are built and tested against Redis 7: the worker's scripts use XGROUP CREATECONSUMER, the tests
# CLIENT PAUSE WRITE and INFO errorstats, none of which the Redis 6.0 of older distributions has.
require_redis_7() {
  local version
  version="$(redis-server --version | grep -o 'v=[0-9][0-9.]*' | cut -d= -f2)"
  [ "${version%%.*}" -ge 7 ] 2>/dev/null \
    || fail "redis-server is ${version:-of an unknown version}; PhonicAspire needs Redis 7 or later: install it from redis.io's packages, or start Docker."
}

# The reference material the tests read (Svix's signed cases, Phonic's sample payloads) sits beside the repository.
require_shared_files() {
  [ -d ../shared/svix ] && [ -d ../shared/phonic ] \
    || fail "../shared/svix and ../shared/phonic are missing: the tests read Svix's signed cases and Phonic's sample payloads from the 'shared' folder beside this repository."
}

# wrk, the load generator of scripts/bench's ingest: C, so it leaves the measured servers the machine's cores.
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 || apt_install "wrk is" "wrk" "install wrk."
  command -v wrk >/dev/null 2>&1 || fail "wrk installed, but it is still not found."
}

node_installed() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1
}

node_major() {
  node -p 'process.versions.node.split(".")[0]'
}

# Installs Node.js and npm from the distribution's packages when they are missing (scripts/bench's Node peer). Its
# packages want Node.js 20 or later (@hono/node-server 2, ioredis 6), and Debian 12 and Ubuntu 24.04 ship 18: then
# Node.js 22 comes from the npm registry, which the peer's packages come from anyway, into .phonic/tools, for this
# script alone (first on its PATH, the machine's own left as it is).
ensure_node() {
  if ! node_installed; then
    apt_install "Node.js and npm are" "nodejs npm" "install Node.js 20+ with npm."
    node_installed || fail "nodejs npm installed, but node or npm is still not found."
  fi
  [ "$(node_major)" -ge 20 ] && return

  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) fail "Node.js $(node --version) is too old for the benchmark's Node peer: install Node.js 20 or later (https://nodejs.org)." ;;
  esac
  # Pinned, as the peer's own packages are; the distribution's npm goes on running on whichever node is first.
  local tools=.phonic/tools/node package="node-linux-$arch@22.23.5"
  if [ ! -x "$tools/node_modules/node-linux-$arch/bin/node" ]; then
    echo "Node.js $(node --version) is too old for the benchmark's Node peer; installing $package from the npm registry into $tools..."
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$package" >/dev/null \
      || fail "npm could not install Node.js 22 ($package): install Node.js 20 or later (https://nodejs.org)."
  fi
  PATH="$PWD/$tools/node_modules/node-linux-$arch/bin:$PATH"
  export PATH
  [ "$(node_major)" -ge 20 ] || fail "Node.js $(node --version) is still first on PATH: install Node.js 20 or later (https://nodejs.org)."
}
