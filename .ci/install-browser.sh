#!/usr/bin/env bash
# Installs Debian's chromium for the UI's browser tests (packages/ui/tests), when missing.
# playwright-core drives it through executablePath; no browser is downloaded by npm.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "error: /usr/bin/chromium is missing and this user cannot install packages" >&2
    echo "  hint: run 'apt-get update && apt-get install -y chromium' as root" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium
/usr/bin/chromium --version
