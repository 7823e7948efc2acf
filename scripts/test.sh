#!/usr/bin/env bash
# The whole test run on a fresh machine: Debian packages, npm packages, a virtual display, then
# typecheck, lint, unit and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-desktop-packages.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
# End-to-end tests start their own Xvfb per file (at the resolution each needs); this display is
# for anything else that just needs one. -displayfd picks a free display number.
if [ -z "${DISPLAY:-}" ]; then
  display_file=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$display_file" >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill $xvfb_pid 2>/dev/null || true; rm -f "$display_file"' EXIT
  for _ in $(seq 1 100); do [ -s "$display_file" ] && break; sleep 0.1; done
  export DISPLAY=":$(head -n1 "$display_file")"
  xdpyinfo >/dev/null
fi
npm test
