import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUiRoutes } from "./ui-route.js";

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ogpu-ui-route-"));
  await mkdir(join(dir, "ui", "assets"), { recursive: true });
  await writeFile(join(dir, "ui", "index.html"), "<!doctype html><title>ui</title>");
  await writeFile(join(dir, "ui", "assets", "index-abc.js"), "console.log(1)");
  await writeFile(join(dir, "secret.txt"), "outside the ui folder");
  app = Fastify();
  registerUiRoutes(app, join(dir, "ui"));
});

afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe("/ui serves the built dashboard", () => {
  it("files as they are, hashed assets cached for good, index.html re-asked for", async () => {
    const asset = await app.inject({ url: "/ui/assets/index-abc.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toContain("text/javascript");
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect(asset.body).toBe("console.log(1)");
    const index = await app.inject({ url: "/ui/" });
    expect(index.headers["content-type"]).toContain("text/html");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect((await app.inject({ url: "/ui" })).headers.location).toBe("/ui/");
  });

  it("index.html for the app's own paths, never a file outside the folder", async () => {
    expect((await app.inject({ url: "/ui/provider/ogpu1abc" })).body).toContain("<title>ui</title>");
    for (const url of ["/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/assets/..%2f..%2fsecret.txt"]) {
      const response = await app.inject({ url });
      expect(response.body, url).not.toContain("outside the ui folder");
    }
  });

  it("without a build, 404 saying how to build it", async () => {
    const bare = Fastify();
    registerUiRoutes(bare, join(dir, "missing"));
    const response = await bare.inject({ url: "/ui/" });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain("npm run build:web");
    await bare.close();
  });
});
