import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { OgpuApp } from "../app/app.js";
import { exportGenesisDocument, type GenesisDocument } from "../app/genesis-export.js";
import { GrpcCode, GrpcStatusError } from "./abci-query.js";
import { HEIGHT_HEADER } from "./rest.js";

/** Where a node started with `--serve-export` serves its state (docs/shadow-fork.md). */
export const EXPORT_PATH = "/ogpu/node/v1/export";

/**
 * GET /ogpu/node/v1/export: the committed state as a genesis document, exactly what `ogpud
 * export` prints for a stopped node (`ogpud shadow-fork --from` reads it). Off unless the
 * operator turns it on (`--serve-export` / app.json serve_export): the answer is the whole
 * state (megabytes on a large chain) built synchronously, so a public node would hand anyone
 * a cheap way to stall its event loop. The header x-cosmos-block-height names the height.
 */
export function registerExportRoute(rest: FastifyInstance, app: OgpuApp, genesisFile: string): void {
  rest.get(EXPORT_PATH, async (_request, reply) => {
    const base = JSON.parse(await readFile(genesisFile, "utf8")) as GenesisDocument;
    if (app.lastCommit.height === 0n) throw new GrpcStatusError(GrpcCode.Unavailable, "no committed block yet: nothing to export");
    const { genesis, height } = exportGenesisDocument(app, base);
    reply.header(HEIGHT_HEADER, height.toString());
    return genesis;
  });
}
