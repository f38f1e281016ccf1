"""numpy-sum: row sums of a seeded float32 matrix, accumulated in chunks.

Input ($OGPU_INPUT, JSON): {"rows": 1..4096, "cols": 1..65536}.
Output ($OGPU_OUTPUT/sums.npy): float32 vector of `rows` row sums.

The matrix comes from $OGPU_SEED, so every worker sums the same numbers; the order in which
it sums them does not: each row is split into $OGPU_SUM_CHUNKS chunks (default 1, an
operator's setting), summed per chunk and then across chunks, in float32. Different chunk
counts round differently — the last bits of the result differ between honest workers, which
is what the `tolerance` verification class is for.
"""
import json
import os

import numpy as np

params = json.load(open(os.environ["OGPU_INPUT"]))
rows, cols = int(params["rows"]), int(params["cols"])
if not (1 <= rows <= 4096 and 1 <= cols <= 65536):
    raise SystemExit("rows must be 1..4096 and cols 1..65536")
chunks = max(1, min(cols, int(os.environ.get("OGPU_SUM_CHUNKS", "1"))))

rng = np.random.default_rng(int(os.environ["OGPU_SEED"]))
matrix = (rng.standard_normal((rows, cols)) * 1000.0).astype(np.float32)
partials = [part.sum(axis=1, dtype=np.float32) for part in np.array_split(matrix, chunks, axis=1)]
sums = np.zeros(rows, dtype=np.float32)
for p in partials:
    sums += p
np.save(os.path.join(os.environ["OGPU_OUTPUT"], "sums.npy"), sums)
