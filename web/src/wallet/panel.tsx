/**
 * The header's wallet panel: import or create a local key (sealed under a passphrase), unlock,
 * lock, forget; the account's address and balance once unlocked. A disclosure (<details>) so it
 * folds away at phone width and opens from the keyboard.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, formatOgpu } from "../api";
import { usePoll } from "../usePoll";
import { lazyComponent } from "../lazy";
import { useWallet } from "./context";
import { keplrExtension } from "./keplr-extension";

// Sending and connecting Keplr pull in the signing code: fetched when first used.
const SendForm = lazyComponent(() => import("./send").then((m) => m.SendForm));

const BALANCE_POLL_MS = 5_000;

function shortAddress(address: string): string {
  return address.length > 20 ? `${address.slice(0, 10)}…${address.slice(-6)}` : address;
}

function Balance({ address }: { address: string }) {
  const { data, error } = usePoll(() => api.balances(address), BALANCE_POLL_MS, [address]);
  if (error !== undefined && data === undefined) return <span class="error">balance unavailable</span>;
  const uogpu = data?.balances.find((b) => b.denom === "uogpu")?.amount ?? "0";
  return <span data-testid="wallet-balance">{data === undefined ? "…" : `${formatOgpu(uogpu)} OGPU`}</span>;
}

/** Runs a panel action, showing its error (never the secret it handled) and a busy state. */
function useAction(): { busy: boolean; error: string | undefined; start: (action: () => Promise<void>) => void; run: (action: () => Promise<void>) => (e: Event) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const start = (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    action()
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  return {
    busy,
    error,
    start,
    run: (action) => (e) => {
      e.preventDefault();
      start(action);
    },
  };
}

function PassphraseField({ id, value, onInput, label = "Passphrase", isNew = false }: { id: string; value: string; onInput: (v: string) => void; label?: string; isNew?: boolean }) {
  return (
    <>
      <label for={id}>{label}</label>
      <input id={id} type="password" required minLength={isNew ? 8 : 1} autoComplete={isNew ? "new-password" : "current-password"} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </>
  );
}

function ImportForm() {
  const wallet = useWallet();
  const [mnemonic, setMnemonic] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const { busy, error, run, start } = useAction();
  const clear = () => {
    setMnemonic("");
    setPassphrase("");
  };
  return (
    <form
      class="wallet-form"
      aria-label="Import a key"
      onSubmit={run(async () => {
        await wallet.importKey(mnemonic, passphrase);
        clear();
      })}
    >
      <label for="wallet-mnemonic">Recovery phrase (12 or 24 words)</label>
      <textarea id="wallet-mnemonic" rows={3} required autoComplete="off" spellcheck={false} value={mnemonic} onInput={(e) => setMnemonic(e.currentTarget.value)} />
      <PassphraseField id="wallet-new-passphrase" label="New passphrase (encrypts the phrase in this browser)" value={passphrase} onInput={setPassphrase} isNew />
      <div class="inline">
        <button type="submit" disabled={busy}>Import key</button>
        <button
          type="button"
          class="secondary"
          disabled={busy || passphrase.length < 8}
          title="Generates a new 24-word phrase (for devnets); needs the passphrase above"
          onClick={() =>
            start(async () => {
              await wallet.create(passphrase);
              clear();
            })
          }
        >
          Create new key
        </button>
      </div>
      {error !== undefined && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

function UnlockForm({ address }: { address: string }) {
  const wallet = useWallet();
  const [passphrase, setPassphrase] = useState("");
  const { busy, error, run } = useAction();
  return (
    <form class="wallet-form" aria-label="Unlock the stored key" onSubmit={run(async () => wallet.unlock(passphrase).then(() => setPassphrase("")))}>
      <p>Stored key <code>{shortAddress(address)}</code> is locked.</p>
      <PassphraseField id="wallet-passphrase" value={passphrase} onInput={setPassphrase} />
      <div class="inline">
        <button type="submit" disabled={busy}>Unlock</button>
        <button type="button" class="secondary" onClick={() => confirm("Delete the stored key from this browser? Only its recovery phrase can bring it back.") && wallet.forget()}>Forget</button>
      </div>
      {error !== undefined && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

/** Shown when window.keplr exists: the key stays in the extension, which asks before each signature. */
function KeplrConnect() {
  const wallet = useWallet();
  const { busy, error, start } = useAction();
  const keplr = keplrExtension();
  if (keplr === undefined) return null;
  return (
    <div class="wallet-form">
      <button type="button" disabled={busy} onClick={() => start(async () => wallet.connect(await (await import("./keplr")).connectKeplr(keplr)))}>
        Connect Keplr
      </button>
      {error !== undefined && <p role="alert" class="error">{error}</p>}
    </div>
  );
}

export function WalletPanel() {
  const wallet = useWallet();
  const { state } = wallet;
  const panel = useRef<HTMLDetailsElement>(null);
  // Escape folds the open panel and gives focus back to its summary, as for a menu — from
  // anywhere on the page, since a form that just completed may have taken the focus with it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const details = panel.current;
      if (e.key !== "Escape" || details === null || !details.open) return;
      details.open = false;
      details.querySelector("summary")?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  const summary = state.status === "unlocked" ? shortAddress(state.wallet.address) : state.status === "locked" ? "Wallet (locked)" : "Wallet";
  return (
    <details class="wallet" ref={panel}>
      <summary>{summary}</summary>
      <div class="wallet-body">
        {state.status !== "unlocked" && <KeplrConnect />}
        {state.status === "empty" && <ImportForm />}
        {state.status === "locked" && <UnlockForm address={state.address} />}
        {state.status === "unlocked" && (
          <div class="wallet-form">
            <p>
              <span class="wallet-kind">{state.wallet.kind === "keplr" ? "Keplr" : "Local key"}</span> <code data-testid="wallet-address">{state.wallet.address}</code>
            </p>
            <p>Balance: <Balance address={state.wallet.address} /></p>
            {wallet.backup !== undefined && (
              <div role="status" class="backup">
                <p>Your new recovery phrase — write it down; it is shown only now:</p>
                <p><code data-testid="wallet-backup">{wallet.backup}</code></p>
                <button type="button" class="secondary" onClick={() => wallet.dismissBackup()}>I wrote it down</button>
              </div>
            )}
            <details>
              <summary>Send OGPU</summary>
              <SendForm wallet={state.wallet} />
            </details>
            <div class="inline">
              <button type="button" onClick={() => wallet.lock()}>{state.wallet.kind === "keplr" ? "Disconnect" : "Lock"}</button>
              {state.wallet.kind === "local" && (
                <button type="button" class="secondary" onClick={() => confirm("Delete the stored key from this browser? Only its recovery phrase can bring it back.") && wallet.forget()}>Forget</button>
              )}
            </div>
          </div>
        )}
      </div>
    </details>
  );
}
