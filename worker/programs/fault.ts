/**
 * A test-only fault switch: `OGPU_WORKER_TEST_FAULT=perturb-outputs` in the environment of
 * `ogpu-worker start` makes the worker return every program result with its float outputs
 * perturbed (x → x + 1 + |x|, beyond any tolerance below 1), the way a worker that skips or
 * botches the computation would. End-to-end tests use it to check that the auditor's verdict
 * slashes such a worker (test/e2e/programs-audit.e2e.test.ts). The worker says so loudly at start;
 * no operator has a reason to set it.
 */
import { packFiles, unpackFiles } from "../../sdk/program-pack.js";
import { parseOutput } from "../verify/compare.js";
import type { NumericArray } from "../verify/npy.js";
import type { ProgramOutput } from "./manifest.js";
import type { ProgramRuntime } from "./runtime.js";

export const TEST_FAULT_ENV = "OGPU_WORKER_TEST_FAULT";
export const TEST_FAULTS = ["perturb-outputs"] as const;
export type TestFault = (typeof TEST_FAULTS)[number];

export function parseTestFault(value: string): TestFault {
  if (!(TEST_FAULTS as readonly string[]).includes(value)) throw new Error(`${TEST_FAULT_ENV}="${value}" is not a test fault (known: ${TEST_FAULTS.join(", ")})`);
  return value as TestFault;
}

const ITEM_BYTES = { f4: 4, f8: 8 } as const;

/** One output's float elements moved by 1 + |x| (little-endian, in place on a copy); other outputs as they are. */
function perturb(output: ProgramOutput, bytes: Uint8Array): Uint8Array {
  if (output.format === "bytes") return bytes;
  let parsed: NumericArray;
  try {
    parsed = parseOutput(bytes, output.format === "npy" ? { format: "npy" } : { format: output.format, shape: output.shape ?? [Math.floor(bytes.length / (output.format === "f32le" ? 4 : 8))] });
  } catch {
    return bytes;
  }
  if (parsed.dtype !== "f4" && parsed.dtype !== "f8") return bytes;
  const size = ITEM_BYTES[parsed.dtype];
  const copy = bytes.slice();
  const view = new DataView(copy.buffer, copy.byteOffset + copy.length - parsed.data.length * size, parsed.data.length * size);
  parsed.data.forEach((x, i) => (size === 4 ? view.setFloat32(i * 4, x + 1 + Math.abs(x), true) : view.setFloat64(i * 8, x + 1 + Math.abs(x), true)));
  return copy;
}

/** `inner` with the fault applied to every result it returns. */
export function faultyRuntime(inner: ProgramRuntime, fault: TestFault): ProgramRuntime {
  if (fault !== "perturb-outputs") return inner;
  return {
    name: inner.name,
    async run(job, input, ctx) {
      const result = await inner.run(job, input, ctx);
      const outputs = job.program.manifest.outputs;
      return packFiles(unpackFiles(result).map((f) => ({ ...f, data: perturb(outputs.find((o) => o.name === f.path)!, f.data) })));
    },
  };
}

/** Every runtime with the fault applied. */
export function withTestFault(runtimes: ReadonlyMap<string, ProgramRuntime>, fault: TestFault): ReadonlyMap<string, ProgramRuntime> {
  return new Map([...runtimes].map(([name, r]) => [name, faultyRuntime(r, fault)]));
}
