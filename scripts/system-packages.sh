#!/bin/sh
# Installs the Debian packages the full test suite needs: PostgreSQL (a throwaway cluster is
# started by the tests) and Chromium (browser tests). As root it installs them; otherwise it
# prints the exact command to run and stops. It never calls sudo.
set -eu

missing=""
if ! command -v pg_config >/dev/null 2>&1 || [ ! -x "$(pg_config --bindir)/initdb" ]; then
    missing="$missing postgresql"
fi
if [ ! -x /usr/lib/chromium/chromium ]; then
    missing="$missing chromium"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "The test suite needs these Debian packages:$missing" >&2
    echo "Install them as root, then run make test again:" >&2
    echo "    apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "Installing:$missing"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
