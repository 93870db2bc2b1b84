#!/usr/bin/env bash
# Runs the test suite from any state: puts Node >= 22.13 on PATH (scripts/node.sh), installs dependencies,
# builds the CLI the end-to-end tests spawn, then type-checks and runs vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.installed ]; then
  npm ci --no-audit --no-fund
  touch node_modules/.installed
fi

npm run build
npm test
