#!/usr/bin/env bash
# Stop the loopback testnet: workers, auditors, nodes and their kubo daemons (state kept); testnet/down.sh --clean also deletes it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--clean" ]; then exec node dist/testnet/cli.js clean; fi
exec node dist/testnet/cli.js down
