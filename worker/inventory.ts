/**
 * GPU inventory of the machine a worker runs on, in the shape MsgRegisterWorker takes
 * (ogpu.workers.v1.Gpu: vendor, model, vram_mb, pci_id, count).
 *
 * NVIDIA GPUs come from `nvidia-smi --query-gpu=index,name,memory.total,pci.bus_id,uuid,
 * utilization.gpu --format=csv,noheader,nounits`, one line per device, e.g.
 *   0, NVIDIA A100-SXM4-80GB, 81920, 00000000:07:00.0, GPU-…, 37
 * Without nvidia-smi (or when it fails, hangs or lists nothing) the machine offers a single
 * CPU class entry: vendor "cpu", the CPU model, vram_mb 0, count = logical cores.
 */
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import type { Gpu } from "../proto/gen/ogpu/workers/v1/workers.js";

export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,name,memory.total,pci.bus_id,uuid,utilization.gpu",
  "--format=csv,noheader,nounits",
] as const;

const FIELD_COUNT = 6;
const DEFAULT_TIMEOUT_MS = 10_000;

/** One device line of nvidia-smi. Fields nvidia-smi reports as "[N/A]" / "[Not Supported]" are null. */
export interface GpuDevice {
  index: number;
  name: string;
  memoryMb: number | null;
  pciBusId: string;
  uuid: string;
  utilizationPct: number | null;
}

export interface Inventory {
  source: "nvidia-smi" | "cpu";
  devices: GpuDevice[];
  gpus: Gpu[];
  /** Lines or fields that were skipped, and why nvidia-smi was not used (for the operator's log). */
  warnings: string[];
}

function isUnavailable(field: string): boolean {
  return /^\[.*\]$/.test(field) || field === "";
}

function optionalInt(field: string): number | null {
  if (isUnavailable(field)) return null;
  return /^[0-9]+$/.test(field) ? Number(field) : null;
}

/**
 * Parses nvidia-smi's csv,noheader,nounits output. Malformed lines are skipped with a warning
 * rather than failing the whole inventory: one odd device must not keep a worker offline.
 */
export function parseNvidiaSmiCsv(text: string, warnings: string[] = []): GpuDevice[] {
  const devices: GpuDevice[] = [];
  for (const [lineNo, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === "") continue;
    const fields = line.split(",").map((f) => f.trim());
    if (fields.length < FIELD_COUNT) {
      warnings.push(`nvidia-smi line ${lineNo + 1}: expected ${FIELD_COUNT} fields, got ${fields.length}: ${line}`);
      continue;
    }
    // The name is the only free-text field: rejoin it in case it ever contains a comma.
    const tail = fields.slice(-4);
    const [memory, pciBusId, uuid, utilization] = tail as [string, string, string, string];
    const name = fields.slice(1, fields.length - 4).join(", ");
    const index = optionalInt(fields[0]!);
    if (index === null || name === "") {
      warnings.push(`nvidia-smi line ${lineNo + 1}: missing index or name: ${line}`);
      continue;
    }
    devices.push({
      index,
      name,
      memoryMb: optionalInt(memory),
      pciBusId: isUnavailable(pciBusId) ? "" : pciBusId,
      uuid: isUnavailable(uuid) ? "" : uuid,
      utilizationPct: optionalInt(utilization),
    });
  }
  return devices.sort((a, b) => a.index - b.index);
}

function compact(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/**
 * Maps a marketing name to a gpu_catalog model: "NVIDIA H100 80GB HBM3" → "H100",
 * "NVIDIA GeForce RTX 4090" → "RTX4090". A catalog model matches when it equals the first
 * whole words of the name (so "A10" never captures an "A100"); the longest match wins.
 * Unknown models keep their name minus the brand prefix ("Tesla T4" → "T4").
 */
export function catalogModel(name: string, catalogModels: readonly string[] = []): string {
  const cleaned = name.replace(/^(NVIDIA\s+)?((GeForce|Tesla|Quadro)\s+)?/i, "").trim();
  const words = cleaned.split(/[\s_-]+/).filter((w) => w !== "");
  let best: string | undefined;
  for (const model of catalogModels) {
    const want = compact(model);
    let prefix = "";
    for (const word of words) {
      prefix += compact(word);
      if (prefix === want && (best === undefined || model.length > best.length)) best = model;
      if (prefix.length >= want.length) break;
    }
  }
  return best ?? cleaned;
}

/**
 * Groups devices into Gpu entries by (model, vram). pci_id is the bus id of the group's first
 * device. Devices with unknown memory are skipped: the chain requires vram_mb > 0.
 */
export function toGpuSpecs(devices: readonly GpuDevice[], catalogModels: readonly string[] = [], warnings: string[] = []): Gpu[] {
  const groups = new Map<string, Gpu>();
  for (const d of devices) {
    if (d.memoryMb === null || d.memoryMb === 0) {
      warnings.push(`GPU ${d.index} (${d.name}): memory.total unavailable, not offered`);
      continue;
    }
    const model = catalogModel(d.name, catalogModels);
    const key = `${model}\u0000${d.memoryMb}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { vendor: "nvidia", model, vramMb: BigInt(d.memoryMb), pciId: d.pciBusId, count: 1 });
  }
  return [...groups.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : Number(a.vramMb - b.vramMb)));
}

export function cpuClass(): Gpu {
  // The chain's catalogue knows one CPU class, "CPU"; the processor's own name is not a
  // scheduling input, so it is not registered.
  return { vendor: "cpu", model: "CPU", vramMb: 0n, pciId: "", count: Math.max(1, cpus().length) };
}

export interface InventoryOptions {
  /** nvidia-smi executable (default "nvidia-smi" on PATH). */
  binary?: string;
  timeoutMs?: number;
  /** gpu_catalog models from the chain's workers params, for name normalisation. */
  catalogModels?: readonly string[];
}

function runNvidiaSmi(binary: string, timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; missing: boolean; reason: string }> {
  return new Promise((resolve) => {
    execFile(binary, [...NVIDIA_SMI_ARGS], { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === "ENOENT") return resolve({ ok: false, missing: true, reason: "nvidia-smi not found" });
      const why = e.killed ? `timed out after ${timeoutMs} ms` : `${e.message.split("\n")[0]} ${String(stderr || stdout).trim()}`;
      resolve({ ok: false, missing: false, reason: `nvidia-smi failed: ${why}`.trim() });
    });
  });
}

export async function readInventory(opts: InventoryOptions = {}): Promise<Inventory> {
  const warnings: string[] = [];
  const result = await runNvidiaSmi(opts.binary ?? "nvidia-smi", opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (result.ok) {
    const devices = parseNvidiaSmiCsv(result.stdout, warnings);
    const gpus = toGpuSpecs(devices, opts.catalogModels, warnings);
    if (gpus.length > 0) return { source: "nvidia-smi", devices, gpus, warnings };
    warnings.push("nvidia-smi listed no usable GPU; offering the CPU class");
  } else if (!result.missing) {
    warnings.push(`${result.reason}; offering the CPU class`);
  }
  return { source: "cpu", devices: [], gpus: [cpuClass()], warnings };
}

/**
 * CUDA_VISIBLE_DEVICES for a concurrency slot: GPUs are split evenly between slots
 * (slot s of S gets indices [s·⌊G/S⌋, (s+1)·⌊G/S⌋)); with more slots than GPUs, slots share
 * GPUs round-robin. No GPUs → "" (the job sees none).
 */
export function gpusForSlot(slot: number, slots: number, gpuIndices: readonly number[]): string {
  if (!Number.isSafeInteger(slot) || !Number.isSafeInteger(slots) || slots < 1 || slot < 0 || slot >= slots) {
    throw new Error(`gpusForSlot: slot ${slot} is not in 0..${slots - 1}`);
  }
  if (gpuIndices.length === 0) return "";
  if (slots > gpuIndices.length) return String(gpuIndices[slot % gpuIndices.length]);
  const per = Math.floor(gpuIndices.length / slots);
  return gpuIndices.slice(slot * per, (slot + 1) * per).join(",");
}
