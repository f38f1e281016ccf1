/**
 * The provider's own transactions, signed with the wallet (the operator's account is the
 * wallet's): register a worker (MsgRegisterWorker: GPUs from the chain's catalogue, region,
 * price, slots, bond), update its offer (MsgUpdateWorker: empty fields keep their value) and
 * exit (MsgExitWorker, after a confirmation: no new jobs; the bond returns after the unbonding
 * period). The worker sidecar (`ogpu-worker start`) later keeps the registration alive with
 * heartbeats and replaces the offer and encryption key with its own.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { useState } from "preact/hooks";
import { OGPU_MSG_TYPES } from "../../proto/msg-types";
import { MsgExitWorker, MsgRegisterWorker, MsgUpdateWorker } from "../../proto/gen/ogpu/workers/v1/tx";
import { formatOgpu, parseOgpu, providerApi, type WorkerView } from "./api";
import { usePoll } from "./usePoll";
import type { SignAndBroadcast, TxOutcome, Wallet } from "./wallet/types";

/** A tx the page sends: busy while it runs, then its outcome or the error, announced to screen readers. */
export function useTx(wallet: Wallet, send: SignAndBroadcast) {
  const [state, setState] = useState<{ busy?: string; done?: { label: string; outcome: TxOutcome }; error?: string }>({});
  const run = async (label: string, msgs: EncodeObject[]): Promise<boolean> => {
    setState({ busy: label });
    try {
      const outcome = await send(wallet, msgs);
      if (outcome.code !== 0) throw new Error(outcome.rawLog || `code ${outcome.code}`);
      setState({ done: { label, outcome } });
      return true;
    } catch (err) {
      setState({ error: `${label} failed: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    }
  };
  const status = (
    <>
      {state.busy && <p role="status">{state.busy}: signing and waiting for a block…</p>}
      {state.done && <p role="status" data-testid="tx-done">{state.done.label}: included at height {state.done.outcome.height.toString()} (tx {state.done.outcome.txhash.slice(0, 12)}…)</p>}
      {state.error && <p role="alert" class="error" data-testid="tx-error">{state.error}</p>}
    </>
  );
  return { run, busy: state.busy !== undefined, status };
}

/** What the forms get from useTx: the one tx runner of the panel (its outcome outlives the form that sent it). */
type Tx = Pick<ReturnType<typeof useTx>, "run" | "busy">;

const REGION_RE = /^[a-z0-9-]{1,32}$/;

/** An OGPU amount typed in a form as uogpu, or undefined when it is not one (the form says so). */
function typedOgpu(text: string): bigint | undefined {
  try {
    return parseOgpu(text);
  } catch {
    return undefined;
  }
}

/** A whole number within [min, max], or undefined. */
function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

function RegisterForm({ wallet, tx }: { wallet: Wallet; tx: Tx }) {
  const params = usePoll(providerApi.workersParams, 30_000);
  const catalog = params.data?.gpu_catalog ?? [];
  const [form, setForm] = useState({ model: "", count: "1", vramMb: "0", region: "local", price: "100", slots: "2", bond: "" });
  const set = (field: keyof typeof form) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setForm({ ...form, [field]: e.currentTarget.value });
  const model = form.model || catalog[0]?.model || "";
  const gpu = catalog.find((g) => g.model === model);
  const minBond = params.data?.min_worker_bond ?? "0";
  const bondText = form.bond || formatOgpu(minBond);
  const bond = typedOgpu(bondText);
  const count = wholeNumber(form.count, 1, 1024);
  const vram = wholeNumber(form.vramMb, 0, 10_000_000);
  const slots = wholeNumber(form.slots, 1, 64);
  const price = /^\d+$/.test(form.price.trim()) ? form.price.trim() : undefined;
  const problem =
    gpu === undefined ? "choose a GPU model" :
    count === undefined ? "GPU count must be a whole number from 1" :
    vram === undefined || (vram === 0 && gpu.vendor !== "cpu") ? "VRAM (MB) must be a positive whole number for a GPU" :
    !REGION_RE.test(form.region) ? "region: 1-32 characters of a-z, 0-9, -" :
    price === undefined ? "price per unit must be a whole number of uogpu" :
    slots === undefined ? "slots must be a whole number from 1 to 64" :
    bond === undefined || bond < BigInt(minBond) ? `bond must be at least ${formatOgpu(minBond)} OGPU` : undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (problem !== undefined || gpu === undefined) return;
    const key = await wallet.encryptionKey();
    const msg = MsgRegisterWorker.fromPartial({
      operator: wallet.address,
      gpus: [{ vendor: gpu.vendor, model: gpu.model, vramMb: BigInt(vram!), count: count!, pciId: "" }],
      region: form.region,
      pricePerUnit: price!,
      maxConcurrent: slots!,
      encPubkey: key.publicKey,
      bond: bond!.toString(),
      runtimes: [],
    });
    await tx.run("Register worker", [{ typeUrl: OGPU_MSG_TYPES.RegisterWorker.typeUrl, value: msg }]);
  };

  return (
    <form class="panel" aria-labelledby="register-title" onSubmit={submit}>
      <h3 id="register-title">Register a worker as {wallet.address}</h3>
      <label for="reg-model">GPU model</label>
      <select id="reg-model" value={model} onChange={set("model")}>
        {catalog.map((g) => <option key={g.model} value={g.model}>{g.vendor} {g.model} (tier {g.tier})</option>)}
      </select>
      <label for="reg-count">GPU count</label>
      <input id="reg-count" inputMode="numeric" value={form.count} onInput={set("count")} />
      <label for="reg-vram">VRAM per GPU (MB)</label>
      <input id="reg-vram" inputMode="numeric" value={form.vramMb} onInput={set("vramMb")} />
      <label for="reg-region">Region</label>
      <input id="reg-region" value={form.region} onInput={set("region")} />
      <label for="reg-price">Price per unit (uogpu)</label>
      <input id="reg-price" inputMode="numeric" value={form.price} onInput={set("price")} />
      <label for="reg-slots">Jobs at once</label>
      <input id="reg-slots" inputMode="numeric" value={form.slots} onInput={set("slots")} />
      <label for="reg-bond">Bond (OGPU)</label>
      <input id="reg-bond" inputMode="decimal" value={bondText} onInput={set("bond")} />
      {problem && <p class="note" id="register-problem">{problem}</p>}
      <button type="submit" disabled={problem !== undefined || tx.busy} aria-describedby={problem ? "register-problem" : undefined}>Register worker</button>
    </form>
  );
}

function UpdateForm({ wallet, tx, view }: { wallet: Wallet; tx: Tx; view: WorkerView }) {
  const [form, setForm] = useState({ price: "", region: "", slots: "", addBond: "" });
  const set = (field: keyof typeof form) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [field]: e.currentTarget.value });
  const addBond = form.addBond.trim() === "" ? 0n : typedOgpu(form.addBond);
  const slots = form.slots.trim() === "" ? 0 : wholeNumber(form.slots, 1, 64);
  const problem =
    form.price.trim() !== "" && !/^\d+$/.test(form.price.trim()) ? "price per unit must be a whole number of uogpu" :
    form.region.trim() !== "" && !REGION_RE.test(form.region.trim()) ? "region: 1-32 characters of a-z, 0-9, -" :
    slots === undefined ? "slots must be a whole number from 1 to 64" :
    addBond === undefined ? "added bond must be an OGPU amount" :
    Object.values(form).every((v) => v.trim() === "") ? "change at least one field" : undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (problem !== undefined) return;
    const msg = MsgUpdateWorker.fromPartial({
      operator: wallet.address,
      pricePerUnit: form.price.trim(),
      region: form.region.trim(),
      maxConcurrent: slots ?? 0,
      addBond: addBond === 0n || addBond === undefined ? "" : addBond.toString(),
    });
    if (await tx.run("Update worker", [{ typeUrl: OGPU_MSG_TYPES.UpdateWorker.typeUrl, value: msg }])) setForm({ price: "", region: "", slots: "", addBond: "" });
  };

  return (
    <form class="panel" aria-labelledby="update-title" onSubmit={submit}>
      <h3 id="update-title">Update the offer</h3>
      <p class="note">Empty fields keep their value (now: {view.worker.price_per_unit} uogpu per unit, region {view.worker.region}, {view.worker.max_concurrent} jobs at once).</p>
      <label for="upd-price">New price per unit (uogpu)</label>
      <input id="upd-price" inputMode="numeric" value={form.price} onInput={set("price")} />
      <label for="upd-region">New region</label>
      <input id="upd-region" value={form.region} onInput={set("region")} />
      <label for="upd-slots">New jobs at once</label>
      <input id="upd-slots" inputMode="numeric" value={form.slots} onInput={set("slots")} />
      <label for="upd-bond">Add to bond (OGPU)</label>
      <input id="upd-bond" inputMode="decimal" value={form.addBond} onInput={set("addBond")} />
      {problem && <p class="note" id="update-problem">{problem}</p>}
      <button type="submit" disabled={problem !== undefined || tx.busy} aria-describedby={problem ? "update-problem" : undefined}>Update worker</button>
    </form>
  );
}

function ExitControl({ wallet, tx, view }: { wallet: Wallet; tx: Tx; view: WorkerView }) {
  const [confirming, setConfirming] = useState(false);
  const exit = async () => {
    setConfirming(false);
    await tx.run("Exit worker", [{ typeUrl: OGPU_MSG_TYPES.ExitWorker.typeUrl, value: MsgExitWorker.fromPartial({ operator: wallet.address }) }]);
  };
  return (
    <div class="panel" role="group" aria-labelledby="exit-title">
      <h3 id="exit-title">Exit</h3>
      {!confirming && <button type="button" class="danger" disabled={tx.busy} onClick={() => setConfirming(true)}>Exit worker…</button>}
      {confirming && (
        <div role="alertdialog" aria-labelledby="exit-confirm-text" class="confirm">
          <p id="exit-confirm-text">The worker takes no new jobs; its bond of {formatOgpu(view.worker.bond || "0")} OGPU returns after the unbonding period. Exit?</p>
          <button type="button" class="danger" onClick={exit} autoFocus>Confirm exit</button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
    </div>
  );
}

/**
 * What the wallet's operator can do: register when it has no worker, else update or exit (an
 * exiting worker only waits for its bond). `view` is the chain's record of the wallet's own
 * worker (undefined when none). One tx status for all three, so an outcome stays on screen when
 * the chain's answer swaps the form.
 */
export function ProviderActions({ wallet, send, view }: { wallet: Wallet; send: SignAndBroadcast; view: WorkerView | undefined }) {
  const tx = useTx(wallet, send);
  const exitHeight = view?.worker.exit_height ?? "0";
  return (
    <>
      {view === undefined && <RegisterForm wallet={wallet} tx={tx} />}
      {view !== undefined && exitHeight !== "0" && (
        <p data-testid="exit-state">Exiting: the bond of {formatOgpu(view.worker.bond || "0")} OGPU returns at height {exitHeight}.</p>
      )}
      {view !== undefined && exitHeight === "0" && (
        <div class="columns">
          <UpdateForm wallet={wallet} tx={tx} view={view} />
          <ExitControl wallet={wallet} tx={tx} view={view} />
        </div>
      )}
      {tx.status}
    </>
  );
}
