/**
 * The submit form: a built-in kind or a program folder, the input file, units, k, verification
 * class, priority, minimum tier and max price, with the live estimate; encrypted unless the
 * customer unticks it. Submits through submit.ts with the connected wallet.
 */
import { useState } from "preact/hooks";
import { packProgramFiles, pickedDirectoryEntries, programRequirements, type PackedProgram } from "../../../sdk/browser";
import { api, formatOgpu } from "../api";
import { usePoll } from "../usePoll";
import type { SignAndBroadcast, Wallet } from "../wallet/types";
import { estimate } from "./estimate";
import { submitFromPage, type SubmittedFromPage, type TaskRequest } from "./submit";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const UINT = /^[0-9]+$/;

interface Props {
  wallet?: Wallet;
  sign: SignAndBroadcast;
  onSubmitted: (task: SubmittedFromPage) => void;
}

/** A picked folder's files, packed (the same bundle and CID the CLI makes of it). */
async function packPicked(files: FileList): Promise<PackedProgram> {
  const picked = await Promise.all([...files].map(async (f) => ({ relativePath: f.webkitRelativePath || f.name, data: new Uint8Array(await f.arrayBuffer()) })));
  return packProgramFiles(pickedDirectoryEntries(picked));
}

export function SubmitForm({ wallet, sign, onSubmitted }: Props) {
  const [source, setSource] = useState<"kind" | "program">("kind");
  const [kind, setKind] = useState("hash");
  const [program, setProgram] = useState<{ packed?: PackedProgram; error?: string }>({});
  const [input, setInput] = useState<File | undefined>();
  const [units, setUnits] = useState("10");
  const [k, setK] = useState("1");
  const [verification, setVerification] = useState<"bitwise" | "tolerance">("bitwise");
  const [priority, setPriority] = useState("0");
  const [tier, setTier] = useState("0");
  const [maxPrice, setMaxPrice] = useState("200");
  const [encrypt, setEncrypt] = useState(true);
  // `attempt` counts submits, so a reader (a person or a test) tells this outcome from the last one.
  const [status, setStatus] = useState<{ attempt: number; busy?: string; error?: string; done?: SubmittedFromPage }>({ attempt: 0 });
  const programs = usePoll(api.programs, 30_000);
  const prices = usePoll(api.basePrice, 3000);
  const workers = usePoll(api.workers, 3000);
  const pending = usePoll(() => api.tasks("&status=TASK_STATUS_PENDING"), 3000);

  const valid = UINT.test(units) && UINT.test(k) && UINT.test(maxPrice) && Number(k) >= 1 && Number(k) <= 100;
  const requirements = { ...(source === "program" && program.packed ? programRequirements(program.packed.manifest) : {}), tier: Number(tier) };
  const quote =
    valid && prices.data && workers.data
      ? estimate({ units: BigInt(units), k: Number(k), maxPricePerUnit: BigInt(maxPrice), requirements, prices: prices.data.prices, workers: workers.data.workers, pending: pending.data?.tasks.length ?? 0 })
      : undefined;

  const onFolder = async (files: FileList | null) => {
    if (!files || files.length === 0) return setProgram({});
    try {
      const packed = await packPicked(files);
      setProgram({ packed });
      if (packed.manifest.verification.class === "tolerance") setVerification("tolerance");
    } catch (err) {
      setProgram({ error: message(err) });
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const attempt = status.attempt + 1;
    const fail = (error: string) => setStatus({ attempt, error });
    if (!wallet) return fail("connect a wallet (top of the page) to submit");
    if (!input) return fail("choose an input file");
    if (!valid) return fail("units, k (1–100) and max price must be whole numbers");
    if (source === "program" && !program.packed) return fail(program.error ?? "choose a program folder holding ogpu-program.json");
    setStatus({ attempt, busy: "reading the input" });
    try {
      const request: TaskRequest = {
        source: source === "program" ? { program: program.packed! } : { kind },
        input: new Uint8Array(await input.arrayBuffer()),
        units: BigInt(units),
        k: Number(k),
        verification,
        priority: Number(priority),
        tier: Number(tier),
        maxPricePerUnit: BigInt(maxPrice),
        encrypt,
      };
      const done = await submitFromPage(wallet, sign, request, (busy) => setStatus({ attempt, busy }));
      setStatus({ attempt, done });
      onSubmitted(done);
    } catch (err) {
      fail(message(err));
    }
  };

  return (
    <form class="submit" onSubmit={submit} aria-labelledby="submit-title">
      <h2 id="submit-title">Submit a task</h2>
      <fieldset>
        <legend>Program</legend>
        <label class="choice"><input type="radio" name="source" checked={source === "kind"} onChange={() => setSource("kind")} /> Built-in kind</label>
        <label class="choice"><input type="radio" name="source" checked={source === "program"} onChange={() => setSource("program")} /> Program folder</label>
      </fieldset>
      {source === "kind" ? (
        <>
          <label for="submit-kind">Kind</label>
          <select id="submit-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {(programs.data?.builtins ?? [{ kind: "hash", program_hash: "" }]).map((b) => <option key={b.kind} value={b.kind}>{b.kind}</option>)}
          </select>
        </>
      ) : (
        <>
          <label for="submit-program">Program folder (with ogpu-program.json)</label>
          <input id="submit-program" type="file" multiple {...{ webkitdirectory: true }} onChange={(e) => void onFolder(e.currentTarget.files)} />
          {program.packed && <output data-testid="program">{program.packed.manifest.runtime} program, {program.packed.bundle.length} bytes, cid {program.packed.cid}</output>}
          {program.error && <p role="alert" class="error">{program.error}</p>}
        </>
      )}
      <label for="submit-input">Input file</label>
      <input id="submit-input" type="file" onChange={(e) => setInput(e.currentTarget.files?.[0])} />
      <label for="submit-units">Units</label>
      <input id="submit-units" inputMode="numeric" value={units} onInput={(e) => setUnits(e.currentTarget.value.trim())} />
      <label for="submit-k">Workers (k)</label>
      <input id="submit-k" inputMode="numeric" value={k} onInput={(e) => setK(e.currentTarget.value.trim())} />
      <label for="submit-verification">Verification</label>
      <select id="submit-verification" value={verification} onChange={(e) => setVerification(e.currentTarget.value as "bitwise" | "tolerance")}>
        <option value="bitwise">bitwise (identical outputs)</option>
        <option value="tolerance">tolerance (numeric, audited)</option>
      </select>
      <label for="submit-priority">Priority</label>
      <select id="submit-priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value)}>
        {["0", "1", "2", "3"].map((p) => <option key={p} value={p}>{p}{p === "3" ? " (first)" : p === "0" ? " (normal)" : ""}</option>)}
      </select>
      <label for="submit-tier">Minimum tier</label>
      <select id="submit-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
        {(prices.data?.prices ?? [{ tier: 0 }]).map((p) => <option key={p.tier} value={String(p.tier)}>tier {p.tier}</option>)}
      </select>
      <label for="submit-max-price">Max price per unit (uogpu)</label>
      <input id="submit-max-price" inputMode="numeric" value={maxPrice} onInput={(e) => setMaxPrice(e.currentTarget.value.trim())} />
      <label class="choice"><input type="checkbox" checked={encrypt} onChange={(e) => setEncrypt(e.currentTarget.checked)} /> Encrypt the input (only the assigned workers and auditors can read it)</label>
      <output data-testid="estimate" for="submit-units submit-k submit-tier submit-max-price">
        {quote === undefined
          ? "—"
          : `escrow ${formatOgpu(quote.escrow)} OGPU · base price ${quote.basePrice ?? "?"} uogpu/unit · ${quote.qualifying} qualifying workers online · ${quote.wait}`}
      </output>
      <button type="submit" disabled={status.busy !== undefined}>{wallet ? "Submit task" : "Submit task (connect a wallet first)"}</button>
      <p aria-live="polite" data-testid="submit-status" data-attempt={status.attempt} data-state={status.busy ? "busy" : status.error ? "error" : status.done ? "done" : "idle"}>
        {status.busy && `${status.busy}…`}
        {status.done && `task ${status.done.taskId} submitted at height ${status.done.height}: escrow ${status.done.escrow}${status.done.sealedTo.workers > 0 ? `, input sealed to ${status.done.sealedTo.workers} worker(s) and ${status.done.sealedTo.auditors} auditor(s)` : ", public input"}`}
      </p>
      {status.error && <p role="alert" class="error" data-testid="submit-error">{status.error}</p>}
    </form>
  );
}
