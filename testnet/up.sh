#!/usr/bin/env bash
# Start an N-validator loopback testnet (default 4): testnet/up.sh 4
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory build >/dev/null
exec node dist/testnet/cli.js up "${1:-4}"
