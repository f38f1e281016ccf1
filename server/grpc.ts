/**
 * The node's gRPC endpoint (the SDK's `grpc.address`, default 0.0.0.0:9090): every query
 * method the app routes for abci_query, served at the same gRPC path, plus server reflection
 * (v1 and v1alpha) from the descriptors of the .proto files under proto/ (docs/grpc.md).
 *
 * Requests are not decoded here: the request bytes go to the app's ABCI query function under
 * the method's path and the response bytes come back as they are, so gRPC, REST and
 * `abci_query` share one implementation per query — as in the SDK, whose gRPC server also
 * routes through the app's query router.
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
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
  /** The FileDescriptorSet reflection serves (DESCRIPTOR_SET_PATH under the package root). */
  descriptorSet: string;
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

/** Where `bash proto/generate.sh` writes the descriptors reflection serves, from the package root. */
export const DESCRIPTOR_SET_PATH = "proto/gen/descriptors.binpb";

/** The files of a FileDescriptorSet (protoc --include_imports output). */
export function readDescriptorSet(path: string): FileDescriptorProto[] {
  return fromBinary(FileDescriptorSetSchema, readFileSync(path)).file;
}

/** Every "/pkg.Service/Method" path the descriptors declare. */
export function describedMethodPaths(files: readonly FileDescriptorProto[]): string[] {
  return files.flatMap((file) => file.service.flatMap((service) => service.method.map((method) => `/${file.package}.${service.name}/${method.name}`)));
}

/**
 * The descriptors in the shape @grpc/reflection indexes. protoc's descriptors are used, not
 * @grpc/proto-loader's: those are re-derived per package with relative type names and no
 * imports, which grpcurl (Go's protodesc) cannot resolve.
 */
function reflectionPackage(files: readonly FileDescriptorProto[]): PackageDefinition {
  const fileDescriptorProtos = files.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file)));
  return { descriptors: { format: "Protocol Buffer 3 EnumDescriptorProto", type: {}, fileDescriptorProtos } };
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
  new ReflectionService(reflectionPackage(readDescriptorSet(opts.descriptorSet))).addToServer(server);
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
