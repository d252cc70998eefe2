#!/usr/bin/env bash
# Sets up a fresh checkout: npm packages, the Electron binary where it can be downloaded, and the built UI.
# --browser also installs Debian's Chromium, which the end-to-end tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown option $arg (known: --browser)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "$want_browser" = 1 ] && [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Chromium (Debian package) for the browser tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Electron's own postinstall downloads its binary and fails the whole install where that host is unreachable;
# skip it here and try the download separately below, where failing is harmless.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm packages (better-sqlite3 compiles from source where no prebuilt binary can be fetched)"
  npm ci --no-audit --no-fund
else
  echo "== npm packages already installed"
fi

if [ -z "${CI:-}" ]; then
  bash scripts/setup-electron.sh
fi

echo "== building the app"
npm run build --silent
echo "== setup done"
