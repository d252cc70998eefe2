#!/usr/bin/env bash
# Tries to download the Electron binary (optional: without it `npm start` serves the app to a browser) and says
# truthfully whether it is there afterwards. Usage: bash scripts/setup-electron.sh [PROJECT_DIR]
set -uo pipefail
project="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$project" || exit 1

# The binary is installed when require('electron') names a file that exists (its path.txt points into dist/).
binary_present() { node -e "require('fs').accessSync(require('electron'))" >/dev/null 2>&1; }

if binary_present; then
  echo "== Electron binary already installed: npm start opens the desktop app"
  exit 0
fi
# setup.sh exports ELECTRON_SKIP_BINARY_DOWNLOAD for `npm ci`; install.js exits 0 without downloading while it is set.
(cd node_modules/electron && env -u ELECTRON_SKIP_BINARY_DOWNLOAD timeout 300 node install.js) >/dev/null 2>&1
if binary_present; then
  echo "== Electron binary installed: npm start opens the desktop app"
else
  echo "== Electron binary could not be downloaded here: npm start serves the app to your browser instead"
fi
