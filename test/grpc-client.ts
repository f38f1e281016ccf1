/**
 * A plain @grpc/grpc-js client for tests: unary calls with cosmjs-types / generated codecs
 * (what a buf- or telescope-generated client sends), and server reflection (what grpcurl asks).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { toolBinary } from "../cmd/paths.js";

export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export interface UnaryResult<Res> {
  response: Res;
  /** Response headers (the node sends x-cosmos-block-height). */
  headers: grpc.Metadata;
}

export function grpcClient(address: string): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure());
}

/** One unary call; rejects with the grpc-js ServiceError (its `code` and `details`). */
export function unary<Req, Res>(client: grpc.Client, path: string, codecs: { request: Codec<Req>; response: Codec<Res> }, request: Req, metadata = new grpc.Metadata()): Promise<UnaryResult<Res>> {
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    const call = client.makeUnaryRequest(
      path,
      (req: Req) => Buffer.from(codecs.request.encode(req).finish()),
      (bytes: Buffer) => codecs.response.decode(bytes),
      request,
      metadata,
      (err, response) => (err ? reject(err) : resolve({ response: response!, headers })),
    );
    call.on("metadata", (m) => (headers = m));
  });
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

type ReflectionStream = grpc.ClientDuplexStream<Record<string, string>, ReflectionResponse>;
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): ReflectionStream };

/** The reflection service's own .proto, shipped inside @grpc/reflection. */
function reflectionProto(version: "v1" | "v1alpha"): string {
  const entry = createRequire(import.meta.url).resolve("@grpc/reflection");
  return join(dirname(entry), "..", "proto", "grpc", "reflection", version, "reflection.proto");
}

/** Asks server reflection one question: `{ list_services: "" }`, `{ file_containing_symbol: "…" }`. */
export function reflect(address: string, request: Record<string, string>, version: "v1" | "v1alpha" = "v1"): Promise<ReflectionResponse> {
  const pkg = grpc.loadPackageDefinition(loadSync(reflectionProto(version), { keepCase: true }));
  const ns = (pkg.grpc as grpc.GrpcObject).reflection as grpc.GrpcObject;
  const Ctor = (ns[version] as grpc.GrpcObject).ServerReflection as unknown as new (address: string, creds: grpc.ChannelCredentials) => ReflectionClient;
  const client = new Ctor(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on("data", (res: ReflectionResponse) => {
      resolve(res);
      stream.end();
    });
    stream.on("error", reject);
    stream.on("end", () => client.close());
    stream.write(request);
  });
}

/** Service names the server lists by reflection. */
export async function listServices(address: string, version: "v1" | "v1alpha" = "v1"): Promise<string[]> {
  const res = await reflect(address, { list_services: "" }, version);
  if (!res.list_services_response) throw new Error(`no list_services answer: ${JSON.stringify(res)}`);
  return res.list_services_response.service.map((s) => s.name).sort();
}

/** The grpcurl binary ($OGPU_GRPCURL, .bin/grpcurl from `make install`, or PATH). */
export function grpcurlBinary(): string {
  return toolBinary("grpcurl", "OGPU_GRPCURL");
}
