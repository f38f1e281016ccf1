#!/usr/bin/env bash
# Start an N-validator loopback testnet (default 4) with its auditors and workers: testnet/up.sh 4 [WORKERS]
# Every node runs its own kubo (IPFS storage); STORAGE=local testnet/up.sh 4 gives node-local blobs.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory build >/dev/null
OGPU_TESTNET_WORKERS="${2:-${OGPU_TESTNET_WORKERS:-4}}" OGPU_TESTNET_STORAGE="${STORAGE:-${OGPU_TESTNET_STORAGE:-ipfs}}" exec node dist/testnet/cli.js up "${1:-4}"
