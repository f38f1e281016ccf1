/**
 * The node's gRPC endpoint (the SDK's `grpc.address`, default 0.0.0.0:9090): every query
 * method the app routes for abci_query, served at the same gRPC path, plus server reflection
 * (v1 and v1alpha) from the .proto files under proto/ (docs/grpc.md).
 *
 * Requests are not decoded here: the request bytes go to the app's ABCI query function under
 * the method's path and the response bytes come back as they are, so gRPC, REST and
 * `abci_query` share one implementation per query — as in the SDK, whose gRPC server also
 * routes through the app's query router.
 */
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync, type PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { grpcErrorFromAbci, GrpcCode, type QueryFn } from "./abci-query.js";

/** The metadata key the SDK reads the query height from, and answers with. */
export const BLOCK_HEIGHT_METADATA = "x-cosmos-block-height";

/** Default listen address, as the SDK's app.toml `[grpc] address`. */
export const DEFAULT_GRPC_ADDRESS = "0.0.0.0:9090";

export interface GrpcServerOptions {
  /** host:port to listen on; port 0 picks a free one (tests). */
  address: string;
  /** The app's in-process ABCI query (the same function the REST server reads through). */
  query: QueryFn;
  /** Every gRPC method path the app routes, e.g. "/cosmos.bank.v1beta1.Query/Balance". */
  methodPaths: readonly string[];
  /** Folder holding the .proto files reflection describes (the repository's proto/). */
  protoRoot: string;
  /** Largest request accepted, in bytes (app.json query_max_bytes; the router checks it too). */
  maxRequestBytes?: number;
}

export interface GrpcServer {
  /** The bound port (the one asked for, or the one picked for port 0). */
  port: number;
  close(): Promise<void>;
}

/** Bytes in, bytes out: the app decodes and encodes, never this server. */
const passThrough = {
  serialize: (value: Buffer): Buffer => value,
  deserialize: (bytes: Buffer): Buffer => bytes,
};

/** Groups "/pkg.Service/Method" paths by service name. */
export function servicesOf(methodPaths: readonly string[]): Map<string, string[]> {
  const services = new Map<string, string[]>();
  for (const path of methodPaths) {
    const match = /^\/([\w.]+)\/(\w+)$/.exec(path);
    if (!match) throw new Error(`not a gRPC method path: ${path}`);
    const methods = services.get(match[1]!) ?? [];
    methods.push(match[2]!);
    services.set(match[1]!, methods);
  }
  return services;
}

/** All .proto files under `root`, relative to it (their import paths). */
export function protoFiles(root: string, dir: string = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return protoFiles(root, path);
    return entry.name.endsWith(".proto") ? [relative(root, path).split(sep).join("/")] : [];
  });
}

/** The descriptors reflection serves: every .proto file under `protoRoot`. */
export function loadProtoDescriptors(protoRoot: string): PackageDefinition {
  // keepCase: descriptors keep the .proto field names (snake_case), as protoc writes them.
  return loadSync(protoFiles(protoRoot).sort(), { includeDirs: [protoRoot], keepCase: true });
}

/** The query height a request asks for: metadata `x-cosmos-block-height`, else 0 (latest). */
function requestedHeight(metadata: grpc.Metadata): bigint {
  const values = metadata.get(BLOCK_HEIGHT_METADATA);
  if (values.length === 0) return 0n;
  const text = String(values[0]);
  if (!/^[0-9]{1,19}$/.test(text)) throw statusError(GrpcCode.InvalidArgument, `invalid ${BLOCK_HEIGHT_METADATA}: ${text}`);
  return BigInt(text);
}

function statusError(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

function unaryHandler(path: string, query: QueryFn): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    void (async () => {
      const res = await query({ path, data: call.request, height: requestedHeight(call.metadata), prove: false });
      if (res.code !== 0) {
        const err = grpcErrorFromAbci(res);
        return callback(statusError(err.grpcCode, err.message));
      }
      // The height the state was read at, as the SDK's gRPC server reports it (a response header).
      const header = new grpc.Metadata();
      header.set(BLOCK_HEIGHT_METADATA, res.height.toString());
      call.sendMetadata(header);
      callback(null, Buffer.from(res.value));
    })().catch((err: unknown) => {
      // A thrown status (bad height metadata) goes back as it is; anything else is internal.
      if (typeof err === "object" && err !== null && "code" in err) return callback(err as Partial<grpc.StatusObject>);
      callback(statusError(GrpcCode.Internal, err instanceof Error ? err.message : String(err)));
    });
  };
}

/** Starts the gRPC server; resolves once it listens. */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const max = opts.maxRequestBytes;
  const server = new grpc.Server(max === undefined ? {} : { "grpc.max_receive_message_length": max });
  for (const [service, methods] of servicesOf(opts.methodPaths)) {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of methods) {
      const path = `/${service}/${method}`;
      definition[method] = {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough.serialize,
        requestDeserialize: passThrough.deserialize,
        responseSerialize: passThrough.serialize,
        responseDeserialize: passThrough.deserialize,
      };
      implementation[method] = unaryHandler(path, opts.query);
    }
    server.addService(definition, implementation);
  }
  new ReflectionService(loadProtoDescriptors(opts.protoRoot)).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    // Open client channels would hold a graceful shutdown forever: force it after a moment.
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => (clearTimeout(force), resolve()));
      }),
  };
}
