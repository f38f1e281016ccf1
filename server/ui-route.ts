/**
 * The web dashboard (web/, built by `npm run build:web` into dist/ui) served at /ui: its static
 * files as they are, and index.html for any other path under /ui so the single-page app's own
 * routes survive a reload. The app talks to whichever node its settings name, through the same
 * REST routes and CORS every other browser client uses; this route only hands out the files.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { FastifyInstance } from "fastify";

export const UI_PREFIX = "/ui";
/** Where `npm run build:web` (web/vite.config.ts) writes the dashboard, under the package root. */
export const UI_BUILD_DIR = "dist/ui";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** A file under root for a request path, or undefined when it would leave root or is not a file. */
async function fileUnder(root: string, relative: string): Promise<string | undefined> {
  const path = normalize(join(root, relative));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? path : undefined;
}

/**
 * Serves the built dashboard from `root` at /ui. Without a build (a node run from source before
 * `npm run build:web`), /ui answers 404 with a line saying how to build it.
 */
export function registerUiRoutes(app: FastifyInstance, root: string): void {
  const absoluteRoot = normalize(root);
  app.get(UI_PREFIX, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`));
  app.get<{ Params: { "*": string } }>(`${UI_PREFIX}/*`, async (request, reply) => {
    const wanted = request.params["*"];
    // Hashed asset names never change content: browsers may keep them; index.html they must re-ask for.
    const asset = wanted === "" ? undefined : await fileUnder(absoluteRoot, wanted);
    const path = asset ?? (await fileUnder(absoluteRoot, "index.html"));
    if (path === undefined) {
      return reply.code(404).type("text/plain").send("the web dashboard is not built: run `npm run build:web`");
    }
    const type = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
    reply.header("cache-control", asset !== undefined && wanted.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return reply.type(type).send(await readFile(path));
  });
}
