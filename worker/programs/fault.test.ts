import { describe, expect, it } from "vitest";
import { packFiles, unpackFiles } from "../../sdk/program-pack.js";
import type { UnpackedProgram } from "../../sdk/programs.js";
import { compareProgramOutputs, parseOutput } from "../verify/compare.js";
import { faultyRuntime, parseTestFault, withTestFault } from "./fault.js";
import type { ProgramOutput } from "./manifest.js";
import type { ProgramRuntime } from "./runtime.js";

const OUTPUTS: ProgramOutput[] = [
  { name: "a.f32", format: "f32le", shape: [3] },
  { name: "b.f64", format: "f64le" },
  { name: "c.txt", format: "bytes" },
];
const honestResult = packFiles([
  { path: "a.f32", executable: false, data: new Uint8Array(Float32Array.from([0, -2, 1e6]).buffer) },
  { path: "b.f64", executable: false, data: new Uint8Array(Float64Array.from([0.5]).buffer) },
  { path: "c.txt", executable: false, data: new TextEncoder().encode("log") },
]);
const honest: ProgramRuntime = { name: "process", run: async () => honestResult };
const job = { taskId: 1n, seed: 2n, program: { manifest: { outputs: OUTPUTS }, files: [] } as unknown as UnpackedProgram };
const ctx = { signal: new AbortController().signal, slot: 0 };

describe("the perturb-outputs test fault", () => {
  it("moves every float element by 1 + |x|, beyond any tolerance below 1, and leaves bytes outputs alone", async () => {
    const perturbed = await faultyRuntime(honest, "perturb-outputs").run(job, new Uint8Array(), ctx);
    const files = unpackFiles(perturbed);
    expect(Array.from(parseOutput(files[0]!.data, { format: "f32le", shape: [3] }).data)).toEqual([1, 1, 2e6 + 1]);
    expect(Array.from(parseOutput(files[1]!.data, { format: "f64le", shape: [1] }).data)).toEqual([2]);
    expect(new TextDecoder().decode(files[2]!.data)).toBe("log");
    expect(compareProgramOutputs(honestResult, perturbed, OUTPUTS, 0.99, 0.99)).toMatchObject({ match: false, reason: expect.stringMatching(/^a\.f32: element 0/) });
  });

  it("is applied to every runtime, and an unknown fault name is refused", () => {
    expect([...withTestFault(new Map([["process", honest]]), "perturb-outputs").keys()]).toEqual(["process"]);
    expect(() => parseTestFault("lie-a-bit")).toThrow(/not a test fault \(known: perturb-outputs\)/);
  });
});
