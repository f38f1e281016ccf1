"""Reference solver for `npm run bench -- scheduler`: scipy's linear_sum_assignment (C++).

A long-lived helper so interpreter start-up and imports are never timed. One request per line
on stdin, "<rows> <cols> <path>", where <path> holds rows*cols float64 little-endian costs
(+inf marks an excluded pair). One JSON reply per line on stdout: {"ms": time of the solve
call alone, "cost": total cost, "count": pairs assigned}.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def main() -> None:
    for line in sys.stdin:
        rows, cols, path = line.split()
        costs = np.fromfile(path, dtype="<f8").reshape(int(rows), int(cols))
        start = time.perf_counter()
        r, c = linear_sum_assignment(costs)
        ms = (time.perf_counter() - start) * 1000
        print(json.dumps({"ms": ms, "cost": int(costs[r, c].sum()), "count": int(len(r))}), flush=True)


if __name__ == "__main__":
    main()
