/**
 * Send OGPU from the unlocked wallet (a bank MsgSend through web/src/tx.ts): the smallest
 * signed action, so a user can fund a worker's operator or a second account from the page.
 */
import { useState } from "preact/hooks";
import { parseOgpu } from "../api";
import { signAndBroadcast } from "../tx";
import type { Wallet } from "./types";

const MSG_SEND = "/cosmos.bank.v1beta1.MsgSend";

export function SendForm({ wallet }: { wallet: Wallet }) {
  const [to, setTo] = useState("");
  const [amount, setAmount] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  return (
    <form
      class="wallet-form"
      aria-label="Send OGPU"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setOutcome(undefined);
        (async () => {
          const uogpu = parseOgpu(amount);
          const msg = { typeUrl: MSG_SEND, value: { fromAddress: wallet.address, toAddress: to.trim(), amount: [{ denom: "uogpu", amount: uogpu.toString() }] } };
          const tx = await signAndBroadcast(wallet, [msg]);
          setOutcome({ ok: true, text: `Sent in block ${tx.height} (tx ${tx.txhash})` });
          setAmount("");
        })()
          .catch((err: unknown) => setOutcome({ ok: false, text: err instanceof Error ? err.message : String(err) }))
          .finally(() => setBusy(false));
      }}
    >
      <label for="send-to">Send to (address)</label>
      <input id="send-to" required autoComplete="off" spellcheck={false} value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      <label for="send-amount">Amount (OGPU)</label>
      <input id="send-amount" required inputMode="decimal" pattern="\d+(\.\d{1,6})?" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>{busy ? "Sending…" : "Send"}</button>
      {outcome !== undefined && (
        <p role={outcome.ok ? "status" : "alert"} class={outcome.ok ? undefined : "error"} data-testid="send-outcome">
          {outcome.text}
        </p>
      )}
    </form>
  );
}
