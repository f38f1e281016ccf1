import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogModel, gpusForSlot, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv, readInventory, toGpuSpecs } from "./inventory.js";
import { workersParams } from "../x/workers/params.js";

const SAMPLES = new URL("./testdata/nvidia-smi/", import.meta.url);
const sample = (name: string) => readFile(new URL(name, SAMPLES), "utf8");
// The chain's default catalogue: the names the worker must map nvidia-smi output onto.
const CATALOG = workersParams.get({ get: () => undefined } as never).gpu_catalog.map((e) => e.model);

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), "ogpu-fake-smi-"));
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

/** A stand-in nvidia-smi: checks it got the expected query flags, then behaves as scripted. */
async function fakeNvidiaSmi(body: string): Promise<string> {
  const path = join(bin, `nvidia-smi-${Math.random().toString(36).slice(2)}`);
  const expectedArgs = NVIDIA_SMI_ARGS.join(" ");
  await writeFile(path, `#!/bin/sh\n[ "$*" = "${expectedArgs}" ] || { echo "unexpected args: $*" >&2; exit 64; }\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe("nvidia-smi parsing", () => {
  it("parses a DGX A100 (8 × A100-SXM4-80GB) into one group of 8", async () => {
    const devices = parseNvidiaSmiCsv(await sample("dgx-a100-sxm4-80gb-8x.csv"));
    expect(devices.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(devices[2]).toEqual({ index: 2, name: "NVIDIA A100-SXM4-80GB", memoryMb: 81920, pciBusId: "00000000:47:00.0", uuid: "GPU-e07b3c59-14fd-8a2e-b6c1-93f0d58a4e72", utilizationPct: 100 });
    expect(toGpuSpecs(devices, CATALOG)).toEqual([{ vendor: "nvidia", model: "A100", vramMb: 81920n, pciId: "00000000:07:00.0", count: 8 }]);
  });

  it("parses H100 80GB HBM3 ×4", async () => {
    const gpus = toGpuSpecs(parseNvidiaSmiCsv(await sample("h100-80gb-hbm3-4x.csv")), CATALOG);
    expect(gpus).toEqual([{ vendor: "nvidia", model: "H100", vramMb: 81559n, pciId: "00000000:19:00.0", count: 4 }]);
  });

  it("parses a single RTX 4090", async () => {
    const gpus = toGpuSpecs(parseNvidiaSmiCsv(await sample("rtx4090-single.csv")), CATALOG);
    expect(gpus).toEqual([{ vendor: "nvidia", model: "RTX4090", vramMb: 24564n, pciId: "00000000:01:00.0", count: 1 }]);
  });

  it("keeps [N/A] utilisation as null and names uncatalogued models plainly (Tesla T4)", async () => {
    const devices = parseNvidiaSmiCsv(await sample("tesla-t4-na-utilization.csv"));
    expect(devices[0]!.utilizationPct).toBeNull();
    expect(toGpuSpecs(devices, CATALOG)).toEqual([{ vendor: "nvidia", model: "T4", vramMb: 15360n, pciId: "00000000:00:1E.0", count: 1 }]);
  });

  it("groups a mixed machine by model and memory, in a stable order", async () => {
    const devices = parseNvidiaSmiCsv(await sample("mixed-workstation.csv"));
    expect(devices.map((d) => d.utilizationPct)).toEqual([0, 67, null, 5]);
    expect(toGpuSpecs(devices, CATALOG)).toEqual([
      { vendor: "nvidia", model: "L40S", vramMb: 46068n, pciId: "00000000:61:00.0", count: 1 },
      { vendor: "nvidia", model: "RTX3090", vramMb: 24576n, pciId: "00000000:21:00.0", count: 1 },
      { vendor: "nvidia", model: "RTX4090", vramMb: 24564n, pciId: "00000000:01:00.0", count: 2 },
    ]);
  });

  it("skips a device whose memory is [N/A], with a warning", async () => {
    const warnings: string[] = [];
    const devices = parseNvidiaSmiCsv(await sample("a100-memory-na.csv"), warnings);
    expect(devices[1]).toMatchObject({ index: 1, memoryMb: null, uuid: "", utilizationPct: null });
    expect(toGpuSpecs(devices, CATALOG, warnings)).toEqual([{ vendor: "nvidia", model: "A100", vramMb: 40960n, pciId: "00000000:00:04.0", count: 1 }]);
    expect(warnings).toEqual(["GPU 1 (NVIDIA A100-SXM4-40GB): memory.total unavailable, not offered"]);
  });

  it("handles empty output and malformed lines", async () => {
    expect(parseNvidiaSmiCsv(await sample("empty.csv"))).toEqual([]);
    const warnings: string[] = [];
    expect(parseNvidiaSmiCsv("No devices were found\n\n", warnings)).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it("maps names to catalogue models on whole-word boundaries only", () => {
    expect(catalogModel("NVIDIA A10", ["A100"])).toBe("A10");
    expect(catalogModel("NVIDIA A100 80GB PCIe", ["A10", "A100"])).toBe("A100");
    expect(catalogModel("NVIDIA L40", ["L40S"])).toBe("L40");
    expect(catalogModel("Quadro RTX 6000", [])).toBe("RTX 6000");
  });
});

describe("readInventory", () => {
  it("uses nvidia-smi when present", async () => {
    const smi = await fakeNvidiaSmi(`cat "${new URL("mixed-workstation.csv", SAMPLES).pathname}"`);
    const inv = await readInventory({ binary: smi, catalogModels: CATALOG });
    expect(inv.source).toBe("nvidia-smi");
    expect(inv.devices).toHaveLength(4);
    expect(inv.gpus.map((g) => `${g.count}×${g.model}`)).toEqual(["1×L40S", "1×RTX3090", "2×RTX4090"]);
  });

  it("falls back to the CPU class when nvidia-smi is absent, fails, hangs or lists nothing", async () => {
    const cpuClass = { vendor: "cpu", model: "CPU", vramMb: 0n, pciId: "", count: cpus().length };
    const absent = await readInventory({ binary: join(bin, "no-such-nvidia-smi") });
    expect(absent).toEqual({ source: "cpu", devices: [], gpus: [cpuClass], warnings: [] });

    const broken = await readInventory({ binary: await fakeNvidiaSmi(`echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." ; exit 9`) });
    expect(broken.gpus).toEqual([cpuClass]);
    expect(broken.warnings[0]).toMatch(/couldn't communicate with the NVIDIA driver/);

    const hung = await readInventory({ binary: await fakeNvidiaSmi("exec sleep 30"), timeoutMs: 300 });
    expect(hung.gpus).toEqual([cpuClass]);
    expect(hung.warnings[0]).toMatch(/timed out after 300 ms/);

    const empty = await readInventory({ binary: await fakeNvidiaSmi("exit 0") });
    expect(empty.source).toBe("cpu");
    expect(empty.warnings[0]).toMatch(/no usable GPU/);
  });
});

describe("gpusForSlot", () => {
  it("splits GPUs evenly between slots, shares round-robin when slots outnumber GPUs", () => {
    expect([0, 1].map((s) => gpusForSlot(s, 2, [0, 1, 2, 3]))).toEqual(["0,1", "2,3"]);
    expect([0, 1, 2].map((s) => gpusForSlot(s, 3, [0, 1]))).toEqual(["0", "1", "0"]);
    expect(gpusForSlot(0, 1, [])).toBe("");
    expect(() => gpusForSlot(2, 2, [0])).toThrow(/not in 0\.\.1/);
  });
});
