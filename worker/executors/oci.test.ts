import { describe, expect, it } from "vitest";
import { isPinnedImage, ociRunArgs, probeOci, runOciJob, type OciJobConfig } from "./oci.js";
import { runJob } from "./types.js";

const DIGEST = "ab".repeat(32);
const config = (over: Partial<OciJobConfig> = {}): OciJobConfig => ({
  image: `localhost/ogpu-test@sha256:${DIGEST}`, argv: ["/job", "--fast"], timeoutMs: 5000, memoryMb: 256, cpus: 1, pids: 32, gpus: 0, taskId: 7n, seed: 42n, maxOutputBytes: 1 << 20, ...over,
});
const ctx = (gpus?: string) => ({ signal: new AbortController().signal, slot: 0, gpus });
const executor = (c: OciJobConfig, status: Parameters<typeof runOciJob>[3]) => ({ kind: "oci", run: (input: Uint8Array, x: ReturnType<typeof ctx>) => runOciJob(c, input, x, status) });

describe("oci runtime", () => {
  it("runs only images pinned by digest", () => {
    expect(isPinnedImage(`localhost/ogpu-test@sha256:${DIGEST}`)).toBe(true);
    expect(isPinnedImage("localhost/ogpu-test:latest")).toBe(false);
    expect(isPinnedImage(`localhost/ogpu-test@sha256:${DIGEST.slice(2)}`)).toBe(false);
  });

  it("podman argv: no network, read-only rootfs, input read-only, limits, env, no GPU unless asked", () => {
    const args = ociRunArgs("podman", config(), "ogpu-7-x", { input: "/h/in", out: "/h/out" }, []);
    for (const flag of ["--network=none", "--read-only", "--pull=never", "--cap-drop"]) expect(args).toContain(flag);
    expect(args.join(" ")).toContain("--memory 256m --memory-swap 256m --cpus 1 --pids-limit 32");
    expect(args).toContain("/h/in:/ogpu/input:ro");
    expect(args).toContain("OGPU_SEED=42");
    expect(args).toContain("OGPU_TASK_ID=7");
    expect(args).toContain("CUDA_VISIBLE_DEVICES=");
    expect(args.some((a) => a.startsWith("nvidia.com/gpu"))).toBe(false);
    expect(args.slice(-3)).toEqual([`localhost/ogpu-test@sha256:${DIGEST}`, "/job", "--fast"]);
  });

  it("GPUs only when requested: CDI devices on podman, --gpus on docker", () => {
    const podman = ociRunArgs("podman", config({ gpus: 2 }), "n", { input: "i", out: "o" }, ["1", "3"]);
    expect(podman.join(" ")).toContain("--device nvidia.com/gpu=1 --device nvidia.com/gpu=3");
    expect(podman).toContain("CUDA_VISIBLE_DEVICES=0,1");
    const docker = ociRunArgs("docker", config({ gpus: 1 }), "n", { input: "i", out: "o" }, ["2"]);
    expect(docker.join(" ")).toContain('--gpus "device=2"');
  });

  it("a tag instead of a digest is refused as bad input before any engine runs", async () => {
    const outcome = await runJob(executor(config({ image: "localhost/ogpu-test:latest" }), { available: true, engine: "podman" }), new Uint8Array(), ctx());
    expect(outcome.ok ? "ok" : outcome.failure).toMatchObject({ kind: "bad_input", message: expect.stringMatching(/not pinned by digest/) as string });
  });

  it("without a working engine the job fails as unavailable, saying why", async () => {
    const outcome = await runJob(executor(config(), { available: false, reason: "no container engine can run a container here (podman: cgroups in hybrid mode not supported)" }), new Uint8Array(), ctx());
    expect(outcome.ok ? "ok" : outcome.failure).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/hybrid mode/) as string });
  });

  it("probeOci answers with an engine or a reason naming each engine tried", () => {
    const status = probeOci();
    if (status.available) expect(["podman", "docker"]).toContain(status.engine);
    else expect(status.reason).toMatch(/podman: .+; docker: .+/);
  }, 60_000);
});
