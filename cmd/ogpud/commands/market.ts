import { readFile, writeFile } from "node:fs/promises";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { messageJson } from "../../../server/lcd-json.js";
import { TaskStatus, VerificationClass, type Task } from "../../../proto/gen/ogpu/market/v1/market.js";
import { MsgCancelTaskResponse, MsgSubmitTaskResponse } from "../../../proto/gen/ogpu/market/v1/tx.js";
import { OgpuClient, submitTaskMsg, type SubmitTaskParams } from "../../../sdk/client.js";
import { toleranceToPpt } from "../../../sdk/program-manifest.js";
import { TaskEndedError, WaitTimeoutError, type TaskUpdate } from "../../../sdk/events.js";
import { MSG } from "../../../sdk/registry.js";
import { basePrices, getTask, listTasks, listWorkers, parseTaskStatus, QueryError } from "../../../sdk/queries.js";
import { clientEncryptionKey, declaredInputBytes, inputRecipients, uploadTaskInput, type UploadedInput } from "../../../sdk/task-io.js";
import { quoteTask } from "../../../sdk/quote.js";
import { blobSignerFromMnemonic } from "../../../sdk/blob-signer.js";
import type { KemKeyPair } from "../../../crypto/kem.js";
import type { KeyInfo, Keyring } from "../../../crypto/keyring.js";
import { keyringFromFlags } from "../keyring-flags.js";
import { PROGRAM_KIND, programRequirements } from "../../../sdk/programs.js";
import { resolveProgram, uploadResolvedProgram } from "./program.js";
import { keyFromNameOrAddress, nodeOption, outputFormat, outputOption, printResult, withNode, type NodeConnection, type OutputFormat } from "../client.js";
import { firstMsgResponse, fromOption, signAndSend, txOptions } from "./tx.js";

/**
 * `ogpud tx market …` and `ogpud q market …`: submit, cancel and follow tasks, read tasks and
 * base prices. Signing goes through tx.ts (keyring, fees, gas); queries and progress through
 * the SDK (sdk/queries.ts, sdk/progress.ts), so the CLI shows exactly what a client script sees.
 */

const TASK_ENUMS = { status: TaskStatus, verification: VerificationClass };
const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };

/** A task as the REST server renders it (snake_case, 64-bit integers as strings, enums by name). */
export function taskJson(task: Task) {
  return messageJson(task, undefined, { enums: TASK_ENUMS });
}

function uintFlag(flags: Flags, name: string, fallback?: string): bigint {
  const text = stringFlag(flags, name, fallback);
  if (!/^[0-9]+$/.test(text)) throw new CliError(`--${name} must be a non-negative integer, got '${text}'`);
  return BigInt(text);
}

export function smallIntFlag(flags: Flags, name: string, fallback: number): number {
  const n = uintFlag(flags, name, String(fallback));
  if (n > 1_000_000n) throw new CliError(`--${name} is too large: ${n}`);
  return Number(n);
}

export function taskIdArg(positionals: string[], usage: string): bigint {
  const [arg, ...rest] = positionals;
  if (!arg || rest.length > 0) throw new CliError(`usage: ${usage}`);
  if (!/^[1-9][0-9]*$/.test(arg)) throw new CliError(`invalid task id '${arg}': expected a positive integer`);
  return BigInt(arg);
}

/** One line per state change, e.g. "height 12  task 3  pending → assigned  (scheduled)  worker ogpu1…". */
export function progressLine(u: TaskUpdate): string {
  const worker = u.events.filter((e) => e.type === "task_assigned").map((e) => e.attributes.worker);
  const extra = worker.length > 0 ? `  worker ${worker.join(",")}` : "";
  return `height ${u.height}  task ${u.taskId}  ${u.from} → ${u.state}  (${u.reason || "-"})${extra}`;
}

export const DEFAULT_REST = "http://127.0.0.1:1317";

/** Where and how the result is downloaded after --wait (undefined: only the digest and CID are printed). */
interface ResultDownload {
  restUrl: string;
  encryptionKey?: KemKeyPair;
  outputFile?: string;
}

/**
 * Follows the task to its end. With `download`, a finalised result is fetched, decrypted and
 * checked against the chain's digest (sdk/task-io.ts), then written to the output file or
 * summarised by its size.
 */
async function waitAndPrint(node: NodeConnection, taskId: bigint, format: OutputFormat, timeoutMs: number, download?: ResultDownload): Promise<void> {
  const sdk = await OgpuClient.connectReadOnly(node.url, { restUrl: download?.restUrl, encryptionKey: download?.encryptionKey });
  const onUpdate = (u: TaskUpdate) => {
    if (format === "json") printResult(format, { task_id: u.taskId, height: u.height, from: u.from, state: u.state, reason: u.reason, source: u.source });
    else console.log(progressLine(u));
  };
  try {
    if (!download) {
      const result = await sdk.waitForResult(taskId, { timeoutMs, onUpdate });
      printResult(format, { task_id: result.taskId, state: result.state, height: result.height, result_digest: result.digest, output_cid: result.outputCid });
      return;
    }
    const result = await sdk.fetchResult(taskId, { timeoutMs, onUpdate }).catch((err: unknown) => {
      if (err instanceof TaskEndedError || err instanceof WaitTimeoutError) throw err;
      throw new CliError(`task ${taskId}: fetching the result failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (download.outputFile) await writeFile(download.outputFile, result.output);
    printResult(format, {
      task_id: result.taskId,
      state: result.state,
      height: result.height,
      result_digest: result.digest,
      output_cid: result.outputCid,
      output_size: result.output.length,
      encrypted: result.encrypted,
      verified: true,
      ...(download.outputFile ? { output_file: download.outputFile } : {}),
    });
  } catch (err) {
    if (err instanceof TaskEndedError || err instanceof WaitTimeoutError) throw new CliError(err.message);
    throw err;
  } finally {
    sdk.disconnect();
  }
}

/** The --from key's blob signer and encryption key, both from its mnemonic (sdk/task-io.ts). */
export async function clientKeys(keyring: Keyring, key: KeyInfo) {
  const mnemonic = await keyring.mnemonic(key.name);
  return { signer: await blobSignerFromMnemonic(mnemonic, key.address, key.type), encryptionKey: await clientEncryptionKey(mnemonic) };
}

/** Uploads --input: sealed to the online workers that meet the requirements, or in clear with --public. */
async function uploadInput(node: NodeConnection, restUrl: string, keys: Awaited<ReturnType<typeof clientKeys>>, input: Uint8Array, params: SubmitTaskParams, isPublic: boolean): Promise<UploadedInput> {
  try {
    const height = BigInt((await node.comet.status()).syncInfo.latestBlockHeight);
    if (isPublic) return await uploadTaskInput({ restUrl, signer: keys.signer, height, input });
    const { recipients, auditors } = await inputRecipients(node.comet, params.requirements);
    return await uploadTaskInput({ restUrl, signer: keys.signer, height, input, encryption: { clientKey: keys.encryptionKey.publicKey, recipients, auditors, tolerance: params.verification === "tolerance" } });
  } catch (err) {
    throw new CliError(`uploading the input to ${restUrl} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * What a client should see before escrowing: the total escrow (max price × units × k), the
 * tier's current base price, how many online workers could take the task, and a warning when
 * the bid is below the base price (the scheduler assigns only at or above it).
 */
export async function submitQuote(node: NodeConnection, params: SubmitTaskParams): Promise<string> {
  const [prices, online] = await Promise.all([basePrices(node.comet), listWorkers(node.comet, { status: "online" })]);
  const quote = quoteTask({ ...params, basePrices: prices, workers: online });
  const k = params.redundancy ?? 1;
  const qualifying = quote.qualifying.length;
  const lines = [
    `  total escrow: ${quote.escrow}uogpu (max ${params.maxPricePerUnit}uogpu/unit × ${params.units} units × k ${k}); the unspent part is refunded`,
    `  tier ${quote.tier} base price: ${quote.basePrice === undefined ? "unknown" : `${quote.basePrice}uogpu/unit`}`,
    `  online workers that qualify: ${qualifying}${qualifying < k ? ` (fewer than k = ${k}: the task waits for more)` : ""}`,
  ];
  if (quote.belowBase) lines.push(`  WARNING: your max price ${params.maxPricePerUnit}uogpu/unit is below the base price ${quote.basePrice}uogpu/unit: the task will not be scheduled until the base price falls`);
  return lines.join("\n");
}

const submitTask: Command = {
  name: "tx market submit-task",
  summary: "Submit a compute task (escrows max-price × units × k); --wait follows it to its end",
  usage: "--from <key> (--kind <built-in kind> | --program <dir | cid>) (--input <file> [--public] | --input-cid <cid>) --units <n> --max-price <uogpu> [--k 1] [--priority 0-3] [--wait [--output-file <path>]]",
  options: {
    ...txOptions,
    ...fromOption,
    kind: { type: "string", description: "built-in kernel: matmul, hash, render (or an operator's exec kind)" },
    program: { type: "string", description: "a program (docs/programs.md): a directory with ogpu-program.json, packed and uploaded, or the CID of an uploaded bundle; sets kind 'program' and the runtime/GPU requirements from its manifest" },
    "program-hash": { type: "string", description: "with --kind: program identity (default: the built-in's fixed id, the CID of the kind's name)" },
    input: { type: "string", description: "file to upload as the input, encrypted to the candidate workers unless --public" },
    public: { type: "boolean", description: "with --input: upload it in clear (a public task)" },
    "input-cid": { type: "string", description: "CID of an already uploaded public input blob (instead of --input)" },
    "input-bytes": { type: "string", description: "MsgSubmitTask input_bytes, the bytes every node stores for the task, paid per KiB (default: counted from the uploads, else measured through --rest)" },
    rest: { type: "string", description: `the node's REST server / blob store; several comma-separated (a,b,c) are failed over in order (default ${DEFAULT_REST})` },
    "output-file": { type: "string", description: "with --wait: write the verified (decrypted) result here" },
    units: { type: "string", description: "compute units (required)" },
    k: { type: "string", description: "redundancy: distinct workers that run it (default 1)" },
    "max-price": { type: "string", description: "highest price per unit, uogpu (required)" },
    priority: { type: "string", description: "0-3, higher is scheduled first (default 0)" },
    "deadline-blocks": { type: "string", description: "expire if not committed within this many blocks (default: chain maximum)" },
    "min-vram-mb": { type: "string", description: "minimum GPU memory, MB" },
    "gpu-models": { type: "string", description: "comma-separated acceptable GPU models, e.g. A100,H100" },
    tier: { type: "string", description: "minimum worker tier 0-3 (default 0)" },
    region: { type: "string", description: "preferred worker region" },
    verification: { type: "string", description: "bitwise | tolerance (numeric outputs; docs/verification.md); default: the program manifest's class, else bitwise" },
    atol: { type: "string", description: "tolerance tasks: absolute tolerance, decimal (e.g. 1e-6; default: the manifest's, else 0)" },
    rtol: { type: "string", description: "tolerance tasks: relative tolerance, decimal (e.g. 1e-5; default: the manifest's, else 0)" },
    wait: { type: "boolean", description: "follow the task (one line per state change); with --input or --output-file, download, decrypt and verify the result" },
    timeout: { type: "string", description: "with --wait: give up after this many seconds (default 600)" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (every field is a flag)`);
    const format = outputFormat(flags);
    const programSpec = typeof flags.program === "string" ? flags.program : undefined;
    if ((programSpec === undefined) === (typeof flags.kind !== "string")) throw new CliError("give exactly one of --kind <built-in kind> or --program <dir | cid>");
    if (programSpec !== undefined && flags["program-hash"] !== undefined) throw new CliError("--program-hash applies to --kind only (a program's hash is its bundle's CID)");
    const restUrl = stringFlag(flags, "rest", DEFAULT_REST);
    const program = programSpec === undefined ? undefined : await resolveProgram(programSpec, restUrl);
    const minVramFlag = uintFlag(flags, "min-vram-mb", "0");
    // A program's manifest names its verification class and tolerances; the flags override them.
    const declared = program?.manifest.verification;
    const verification = stringFlag(flags, "verification", declared?.class ?? "bitwise");
    if (verification !== "bitwise" && verification !== "tolerance") throw new CliError(`--verification must be bitwise or tolerance, got '${verification}'`);
    // The manifest's tolerances go with its class: --verification bitwise drops them.
    const declaredTolerance = verification === "tolerance" ? declared : undefined;
    const atol = stringFlag(flags, "atol", declaredTolerance?.atol ?? "0");
    const rtol = stringFlag(flags, "rtol", declaredTolerance?.rtol ?? "0");
    for (const [name, value] of [["atol", atol], ["rtol", rtol]] as const) {
      try {
        toleranceToPpt(value);
      } catch (err) {
        throw new CliError(`--${name}: ${(err as Error).message}`);
      }
    }
    const params: SubmitTaskParams = {
      kind: program ? PROGRAM_KIND : stringFlag(flags, "kind"),
      programHash: program ? program.cid : typeof flags["program-hash"] === "string" ? flags["program-hash"] : undefined,
      units: uintFlag(flags, "units"),
      maxPricePerUnit: uintFlag(flags, "max-price"),
      redundancy: smallIntFlag(flags, "k", 1),
      priority: smallIntFlag(flags, "priority", 0),
      deadlineBlocks: uintFlag(flags, "deadline-blocks", "0"),
      requirements: {
        ...(program ? programRequirements(program.manifest) : {}),
        minVramMb: program && BigInt(program.manifest.resources.min_vram_mb) > minVramFlag ? BigInt(program.manifest.resources.min_vram_mb) : minVramFlag,
        gpuModels: stringFlag(flags, "gpu-models", "").split(",").map((m) => m.trim()).filter(Boolean),
        tier: smallIntFlag(flags, "tier", 0),
        preferredRegion: stringFlag(flags, "region", ""),
      },
      verification,
      atol,
      rtol,
    };
    const timeoutMs = Number(uintFlag(flags, "timeout", "600")) * 1000;
    const inputFile = typeof flags.input === "string" ? flags.input : undefined;
    if ((inputFile === undefined) === (typeof flags["input-cid"] !== "string")) throw new CliError("give exactly one of --input <file> or --input-cid <cid>");
    if (flags.public && inputFile === undefined) throw new CliError("--public applies to --input only (an --input-cid blob is public already)");
    const declaredBytes = flags["input-bytes"] === undefined ? undefined : uintFlag(flags, "input-bytes");
    const outputFile = typeof flags["output-file"] === "string" ? flags["output-file"] : undefined;
    if (outputFile !== undefined && !flags.wait) throw new CliError("--output-file needs --wait");
    const input = inputFile === undefined ? undefined : await readFile(inputFile).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read --input ${inputFile}: ${err.code ?? err.message}`);
    });
    stringFlag(flags, "from");
    return withNode(flags, async (node) => {
      let inputCid = typeof flags["input-cid"] === "string" ? flags["input-cid"] : "";
      let sealedTo: Pick<UploadedInput, "encrypted" | "auditorKeyFingerprints" | "storedBytes"> = { encrypted: false, auditorKeyFingerprints: [] };
      let download: ResultDownload | undefined = outputFile !== undefined ? { restUrl, outputFile } : undefined;
      const needKeys = input !== undefined || program?.packed !== undefined;
      const keyring = needKeys ? keyringFromFlags(flags) : undefined;
      const keys = keyring ? await clientKeys(keyring, await keyFromNameOrAddress(keyring, stringFlag(flags, "from"))) : undefined;
      if (program && keys) {
        await uploadResolvedProgram(program, restUrl, keys.signer, BigInt((await node.comet.status()).syncInfo.latestBlockHeight));
        if (format === "text" && program.packed) console.error(`program uploaded: ${program.manifest.runtime} runtime, ${program.packed.bundle.length} bytes, cid ${program.cid}`);
      }
      if (input !== undefined && keys) {
        const uploaded = await uploadInput(node, restUrl, keys, new Uint8Array(input), params, flags.public === true);
        inputCid = uploaded.inputCid;
        sealedTo = uploaded;
        download = { restUrl, outputFile, encryptionKey: keys.encryptionKey };
        if (format === "text") console.error(`input uploaded: ${uploaded.encrypted ? `encrypted to ${uploaded.recipients.length} worker(s) and ${uploaded.auditors.length} auditor(s), manifest` : "public, cid"} ${inputCid}`);
      }
      // What every node will store, paid per KiB: counted from the uploads, else measured through --rest.
      const inputBytes = await declaredInputBytes(restUrl, { ...params, inputBytes: declaredBytes, programBytes: program?.bundleBytes }, { inputCid, storedBytes: sealedTo.storedBytes });
      const build = (client: string) => [{ typeUrl: MSG.SubmitTask, value: submitTaskMsg(client, { ...params, inputCid, inputBytes, inputEncrypted: sealedTo.encrypted, auditorKeyFingerprints: sealedTo.auditorKeyFingerprints }) }];
      let summary = `submit ${params.kind} task (${params.units} units × k ${params.redundancy}, max ${params.maxPricePerUnit}uogpu/unit)`;
      // Only the confirmation prompt shows the quote; -y, --dry-run and --generate-only skip it.
      if (!flags.yes && !flags["dry-run"] && !flags["generate-only"]) summary = `${summary}\n${await submitQuote(node, params)}`;
      const { hash, result } = await signAndSend(flags, node, build, summary);
      if (!result) {
        printResult(format, { txhash: hash, code: 0 });
        return 0;
      }
      const response = MsgSubmitTaskResponse.decode(await firstMsgResponse(node, hash));
      printResult(format, { ...result, task_id: response.taskId, escrow: `${response.escrow}uogpu` });
      if (flags.wait) await waitAndPrint(node, response.taskId, format, timeoutMs, download);
      return 0;
    });
  },
};

const cancelTask: Command = {
  name: "tx market cancel-task",
  summary: "Cancel a PENDING or ASSIGNED task of yours that has no committed result; the whole escrow is refunded",
  usage: "<task-id> --from <key>",
  options: { ...txOptions, ...fromOption },
  async run({ positionals, flags }) {
    const taskId = taskIdArg(positionals, "tx market cancel-task <task-id> --from <key>");
    const format = outputFormat(flags);
    stringFlag(flags, "from");
    return withNode(flags, async (node) => {
      const build = (client: string) => [{ typeUrl: MSG.CancelTask, value: { client, taskId } }];
      const { hash, result } = await signAndSend(flags, node, build, `cancel task ${taskId}`);
      if (!result) {
        printResult(format, { txhash: hash, code: 0 });
        return 0;
      }
      const refunded = MsgCancelTaskResponse.decode(await firstMsgResponse(node, hash)).refunded;
      printResult(format, { ...result, task_id: taskId, refunded: `${refunded}uogpu` });
      return 0;
    });
  },
};

/** Query errors (bad status name, app errors) become one CLI line. */
async function cliQuery<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof QueryError || (err instanceof Error && /^unknown (task|worker) status/.test(err.message))) throw new CliError(err.message);
    throw err;
  }
}

const queryTask: Command = {
  name: "q market task",
  summary: "One task: status, reason, assignments, escrow",
  usage: "<task-id>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const taskId = taskIdArg(positionals, "q market task <task-id>");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const task = await cliQuery(() => getTask(node.comet, taskId));
      if (!task) throw new CliError(`task ${taskId} not found`);
      printResult(format, taskJson(task));
      return 0;
    });
  },
};

const queryTasks: Command = {
  name: "q market tasks",
  summary: "Tasks in id order, optionally by status or client",
  usage: "[--status pending|assigned|…] [--client <address>] [--limit n] [--after-id n]",
  options: {
    ...queryOptions,
    status: { type: "string", description: "only tasks in this state (pending, assigned, committed, finalized, expired, …)" },
    client: { type: "string", description: "only tasks of this client address" },
    limit: { type: "string", description: "most tasks to list (default: the node's page, 1000)" },
    "after-id": { type: "string", description: "only tasks with a larger id (paging)" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q market tasks [--status <state>] [--client <address>]");
    const format = outputFormat(flags);
    const status = typeof flags.status === "string" ? cliParseStatus(flags.status) : undefined;
    return withNode(flags, async (node) => {
      const tasks = await cliQuery(() =>
        listTasks(node.comet, { status, client: stringFlag(flags, "client", ""), limit: smallIntFlag(flags, "limit", 0), afterId: uintFlag(flags, "after-id", "0") }),
      );
      printResult(format, { tasks: tasks.map(taskJson) });
      return 0;
    });
  },
};

function cliParseStatus(text: string): TaskStatus {
  try {
    return parseTaskStatus(text);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

const queryBasePrice: Command = {
  name: "q market base-price",
  summary: "Base price per unit (uogpu) and last utilisation of every tier, or of one",
  usage: "[tier]",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [tierArg, ...rest] = positionals;
    if (rest.length > 0 || (tierArg !== undefined && !/^[0-9]$/.test(tierArg))) throw new CliError("usage: q market base-price [tier 0-3]");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const prices = (await cliQuery(() => basePrices(node.comet))).map((p) => ({ tier: p.tier, base_price_per_unit: p.basePricePerUnit, utilization_bps: p.utilizationBps }));
      if (tierArg === undefined) {
        printResult(format, { prices });
        return 0;
      }
      const one = prices.find((p) => p.tier === Number(tierArg));
      if (!one) throw new CliError(`no tier ${tierArg}: tiers are ${prices.map((p) => p.tier).join(", ")}`);
      printResult(format, one);
      return 0;
    });
  },
};

export const marketCommands: Command[] = [submitTask, cancelTask, queryTask, queryTasks, queryBasePrice];
