/**
 * The program manifest `ogpu-program.json` (docs/programs.md): what a program needs to run and
 * how its outputs are compared. Parsed strictly — unknown keys, wrong types and out-of-range
 * values are errors naming the field — because every worker and auditor must read the same
 * manifest the same way. Lives in sdk/ so the client validates before it uploads; the worker
 * imports it through worker/programs/manifest.ts.
 */

import { MAX_TASK_GPUS, PROGRAM_RUNTIMES, type ProgramRuntimeName } from "../app/program-runtimes.js";

export const MANIFEST_FILE = "ogpu-program.json";
export const MAX_MANIFEST_BYTES = 16 * 1024;
export { PROGRAM_RUNTIMES as RUNTIMES } from "../app/program-runtimes.js";
export type Runtime = ProgramRuntimeName;
export const OUTPUT_FORMATS = ["npy", "f32le", "f64le", "bytes"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const VERIFICATION_CLASSES = ["bitwise", "tolerance"] as const;
export type ManifestVerificationClass = (typeof VERIFICATION_CLASSES)[number];

export const MANIFEST_LIMITS = {
  entrypointArgs: 64,
  argChars: 4096,
  outputs: 16,
  outputNameChars: 128,
  shapeDims: 8,
  gpus: MAX_TASK_GPUS,
  vramMb: 1 << 20,
  memoryMb: 1 << 20,
  timeoutS: 86_400,
  toleranceChars: 32,
} as const;

export interface ProgramOutput {
  /** File name under $OGPU_OUTPUT (no directories). */
  name: string;
  format: OutputFormat;
  /** Element counts per dimension; required for raw f32le/f64le compared by tolerance. */
  shape?: number[];
}

export interface ProgramResources {
  gpus: number;
  min_vram_mb: number;
  /** Address-space limit of the job's processes (RLIMIT_AS). */
  memory_mb: number;
  timeout_s: number;
}

export interface ProgramVerification {
  class: ManifestVerificationClass;
  /** Decimal strings ("1e-6", "0.001"); floats appear only off-chain in the comparison. */
  atol?: string;
  rtol?: string;
}

export interface ProgramManifest {
  runtime: Runtime;
  /** argv; argv[0] is a host interpreter/binary or a path inside the bundle (process runtime). */
  entrypoint: string[];
  /** `<name>@sha256:<64 hex>` — oci runtime only. */
  image?: string;
  outputs: ProgramOutput[];
  resources: ProgramResources;
  verification: ProgramVerification;
}

export const DEFAULT_RESOURCES: Readonly<ProgramResources> = { gpus: 0, min_vram_mb: 0, memory_mb: 1024, timeout_s: 60 };

export class ManifestError extends Error {
  constructor(message: string) {
    super(`${MANIFEST_FILE}: ${message}`);
    this.name = "ManifestError";
  }
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string, allowed: readonly string[]): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ManifestError(`${where} must be an object`);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ManifestError(`${where} has unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")} (allowed: ${allowed.join(", ")})`);
  return value as Json;
}

function oneOf<T extends string>(value: unknown, where: string, options: readonly T[]): T {
  if (typeof value !== "string" || !options.includes(value as T)) throw new ManifestError(`${where} must be one of ${options.map((o) => `"${o}"`).join(", ")}`);
  return value as T;
}

function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) throw new ManifestError(`${where} must be an integer in ${min}..${max}`);
  return value;
}

function text(value: unknown, where: string, maxChars: number): string {
  if (typeof value !== "string" || value === "" || value.length > maxChars || value.includes("\0")) {
    throw new ManifestError(`${where} must be a non-empty string of at most ${maxChars} characters without NUL`);
  }
  return value;
}

const OUTPUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const IMAGE = /^[a-z0-9][a-z0-9._/:-]{0,254}@sha256:[0-9a-f]{64}$/;
const DECIMAL = /^(?:\d{1,15}(?:\.\d{1,15})?|\.\d{1,15})(?:e-?\d{1,2})?$/;

function parseOutputs(value: unknown): ProgramOutput[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MANIFEST_LIMITS.outputs) throw new ManifestError(`outputs must be a list of 1..${MANIFEST_LIMITS.outputs} entries`);
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const o = object(raw, `outputs[${i}]`, ["name", "format", "shape"]);
    const name = text(o.name, `outputs[${i}].name`, MANIFEST_LIMITS.outputNameChars);
    if (!OUTPUT_NAME.test(name)) throw new ManifestError(`outputs[${i}].name must be a plain file name ([A-Za-z0-9._-], not starting with . or -)`);
    if (seen.has(name)) throw new ManifestError(`outputs[${i}].name "${name}" is declared twice`);
    seen.add(name);
    const out: ProgramOutput = { name, format: oneOf(o.format, `outputs[${i}].format`, OUTPUT_FORMATS) };
    if (o.shape !== undefined) {
      if (!Array.isArray(o.shape) || o.shape.length === 0 || o.shape.length > MANIFEST_LIMITS.shapeDims) throw new ManifestError(`outputs[${i}].shape must be a list of 1..${MANIFEST_LIMITS.shapeDims} dimensions`);
      out.shape = o.shape.map((d, j) => integer(d, `outputs[${i}].shape[${j}]`, 1, 2 ** 32));
    }
    return out;
  });
}

function parseResources(value: unknown): ProgramResources {
  if (value === undefined) return { ...DEFAULT_RESOURCES };
  const r = object(value, "resources", ["gpus", "min_vram_mb", "memory_mb", "timeout_s"]);
  return {
    gpus: r.gpus === undefined ? DEFAULT_RESOURCES.gpus : integer(r.gpus, "resources.gpus", 0, MANIFEST_LIMITS.gpus),
    min_vram_mb: r.min_vram_mb === undefined ? DEFAULT_RESOURCES.min_vram_mb : integer(r.min_vram_mb, "resources.min_vram_mb", 0, MANIFEST_LIMITS.vramMb),
    memory_mb: r.memory_mb === undefined ? DEFAULT_RESOURCES.memory_mb : integer(r.memory_mb, "resources.memory_mb", 16, MANIFEST_LIMITS.memoryMb),
    timeout_s: r.timeout_s === undefined ? DEFAULT_RESOURCES.timeout_s : integer(r.timeout_s, "resources.timeout_s", 1, MANIFEST_LIMITS.timeoutS),
  };
}

function tolerance(value: unknown, where: string): string {
  const s = text(value, where, MANIFEST_LIMITS.toleranceChars);
  if (!DECIMAL.test(s)) throw new ManifestError(`${where} must be a non-negative decimal string such as "1e-6" or "0.001"`);
  return s;
}

function parseVerification(value: unknown): ProgramVerification {
  if (value === undefined) return { class: "bitwise" };
  const v = object(value, "verification", ["class", "atol", "rtol"]);
  const out: ProgramVerification = { class: oneOf(v.class, "verification.class", VERIFICATION_CLASSES) };
  if (v.atol !== undefined) out.atol = tolerance(v.atol, "verification.atol");
  if (v.rtol !== undefined) out.rtol = tolerance(v.rtol, "verification.rtol");
  if (out.class === "bitwise" && (out.atol !== undefined || out.rtol !== undefined)) throw new ManifestError("verification.atol/rtol apply to the tolerance class only");
  return out;
}

/** Parses and validates a manifest; throws ManifestError naming the first offending field. */
export function parseProgramManifest(bytes: Uint8Array | string): ProgramManifest {
  const size = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_MANIFEST_BYTES) throw new ManifestError(`is ${size} bytes; at most ${MAX_MANIFEST_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === "string" ? bytes : new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ManifestError(`is not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const m = object(raw, "the manifest", ["runtime", "entrypoint", "image", "outputs", "resources", "verification"]);
  const runtime = oneOf(m.runtime, "runtime", PROGRAM_RUNTIMES);
  const manifest: ProgramManifest = { runtime, entrypoint: [], outputs: parseOutputs(m.outputs), resources: parseResources(m.resources), verification: parseVerification(m.verification) };
  if (m.entrypoint !== undefined) {
    if (!Array.isArray(m.entrypoint) || m.entrypoint.length > MANIFEST_LIMITS.entrypointArgs) throw new ManifestError(`entrypoint must be a list of at most ${MANIFEST_LIMITS.entrypointArgs} strings`);
    manifest.entrypoint = m.entrypoint.map((a, i) => text(a, `entrypoint[${i}]`, MANIFEST_LIMITS.argChars));
  }
  if (runtime === "process" && manifest.entrypoint.length === 0) throw new ManifestError("entrypoint is required for the process runtime");
  if (runtime === "oci") {
    const image = text(m.image, "image", 512);
    if (!IMAGE.test(image)) throw new ManifestError('image must be pinned by digest: "<name>@sha256:<64 lowercase hex>"');
    manifest.image = image;
  } else if (m.image !== undefined) throw new ManifestError("image applies to the oci runtime only");
  if (manifest.resources.min_vram_mb > 0 && manifest.resources.gpus === 0) throw new ManifestError("resources.min_vram_mb needs resources.gpus ≥ 1");
  return manifest;
}

/**
 * A manifest tolerance ("1e-6") as an integer count of 10⁻¹² units, the form that reaches the
 * chain (no floats in consensus). Digits below 10⁻¹² are refused rather than rounded.
 */
export function toleranceToPpt(decimal: string): bigint {
  if (!DECIMAL.test(decimal)) throw new ManifestError(`tolerance "${decimal}" is not a non-negative decimal`);
  const [mantissa, exp = "0"] = decimal.split("e") as [string, string?];
  const [whole = "", frac = ""] = mantissa.split(".");
  const digits = BigInt(`${whole}${frac}` || "0");
  const scale = 12 + Number(exp) - frac.length;
  if (scale >= 0) return digits * 10n ** BigInt(scale);
  const div = 10n ** BigInt(-scale);
  if (digits % div !== 0n) throw new ManifestError(`tolerance "${decimal}" is finer than 1e-12`);
  return digits / div;
}
