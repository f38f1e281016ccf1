#!/usr/bin/env bash
# One GPU program end to end on a single-node devnet (docs/programs.md "GPU check"):
#   node + one ogpu-worker + the validator's auditor (testnet/start-devnet.ts, fresh home),
#   examples/programs/torch-train copied with resources.gpus = 1 and a wrapper that refuses to
#   run without CUDA and records the device it trained on, submitted with
#   `ogpud tx market submit-task --program <dir> --wait --output-file`; prints the device and
#   the shapes of the returned weights/logits.
# Needs an NVIDIA GPU (nvidia-smi), bubblewrap and python3-torch with CUDA in /usr/bin/python3.
# Exit codes: 0 ran on CUDA; 1 failed; 2 no GPU on this machine (nothing was started).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi missing or failing); a worker on this machine declines GPU programs (NO_CAPABILITY)" >&2
  exit 2
fi
nvidia-smi -L
/usr/bin/python3 -c 'import torch; assert torch.cuda.is_available(), "torch in /usr/bin/python3 has no CUDA"; print("torch", torch.__version__, "cuda", torch.version.cuda)'
[ -f dist/testnet/start-devnet.js ] || npx tsc -p tsconfig.json

work=$(mktemp -d)
export OGPU_DEVNET_HOME="$work/devnet"
devnet_pid=""
cleanup() {
  if [ -n "$devnet_pid" ]; then kill -TERM "$devnet_pid" 2>/dev/null || true; wait "$devnet_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

node dist/testnet/start-devnet.js >"$work/devnet.log" 2>&1 &
devnet_pid=$!
for _ in $(seq 1 120); do
  grep -q "submit-task" "$work/devnet.log" 2>/dev/null && break
  sleep 1
done
grep -q "submit-task" "$work/devnet.log" || { echo "gpu-check: devnet did not start"; tail -30 "$work/devnet.log"; exit 1; }
rpc=$(node -e 'const d=require(process.argv[1]); console.log(d.rpcUrl)' "$OGPU_DEVNET_HOME/devnet.json")
rest=$(node -e 'const d=require(process.argv[1]); console.log(d.restUrl)' "$OGPU_DEVNET_HOME/devnet.json")

# The GPU variant of the example: same program, resources.gpus = 1, and a wrapper entrypoint.
prog="$work/torch-train-gpu"
cp -r examples/programs/torch-train "$prog"
cat >"$prog/gpu_main.py" <<'PY'
import os, runpy, torch
if not torch.cuda.is_available():
    raise SystemExit("CUDA is not available inside the job (CUDA_VISIBLE_DEVICES=%r)" % os.environ.get("CUDA_VISIBLE_DEVICES"))
runpy.run_path("main.py", run_name="__main__")
with open(os.path.join(os.environ["OGPU_OUTPUT"], "device.txt"), "w") as f:
    f.write(torch.cuda.get_device_name(0))
PY
node -e '
const fs = require("fs"); const p = process.argv[1]; const m = JSON.parse(fs.readFileSync(p, "utf8"));
m.entrypoint = ["/usr/bin/python3", "gpu_main.py"]; m.resources.gpus = 1;
m.outputs.push({ name: "device.txt", format: "bytes" });
fs.writeFileSync(p, JSON.stringify(m, null, 2));' "$prog/ogpu-program.json"

# Wait until the worker advertises the process runtime and a GPU.
for _ in $(seq 1 60); do
  node dist/cmd/ogpud/main.js q workers list --node "$rpc" --output json 2>/dev/null | grep -q '"process"' && break
  sleep 1
done
node dist/cmd/ogpud/main.js tx market submit-task --from client --keyring-backend test --home "$OGPU_DEVNET_HOME" \
  --node "$rpc" --rest "$rest" --program "$prog" --input "$prog/input.json" --units 10 --max-price 200 --yes \
  --wait --timeout 300 --output-file "$work/result.bundle"

node --input-type=module -e '
import { unpackFiles } from "./dist/sdk/program-pack.js";
import { readFileSync } from "node:fs";
for (const f of unpackFiles(new Uint8Array(readFileSync(process.argv[1])))) {
  const text = f.path.endsWith(".txt") ? new TextDecoder().decode(f.data) : `${f.data.length} bytes`;
  console.log(`${f.path}: ${text}`);
}' "$work/result.bundle"
echo "gpu-check: the job ran on CUDA and the task settled"
