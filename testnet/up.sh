#!/usr/bin/env bash
# Start an N-validator loopback testnet (default 4) with its auditors and workers: testnet/up.sh 4 [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory build >/dev/null
OGPU_TESTNET_WORKERS="${2:-${OGPU_TESTNET_WORKERS:-4}}" exec node dist/testnet/cli.js up "${1:-4}"
