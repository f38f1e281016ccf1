/**
 * The wallet as the pages see it: `useWallet()` gives the unlocked Wallet (or none) and the
 * actions of the header's wallet panel. One provider at the app's root, so every page signs
 * with the same key and a lock takes effect everywhere at once.
 */
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useMemo, useState } from "preact/hooks";
import { forgetStored, KeyRecordError, storedKeyRecord } from "./key-record";
import type { Wallet } from "./types";

// Key derivation and signing (cosmjs, the SDK's crypto) are fetched on first use, not with every page.
const localKeys = () => import("./local");

/** No key stored; a sealed key (its address) waiting for the passphrase; or a key in use. */
export type WalletStatus = { status: "empty" } | { status: "locked"; address: string } | { status: "unlocked"; wallet: Wallet };

export interface WalletContextValue {
  state: WalletStatus;
  /** The wallet to sign with, when unlocked. */
  wallet: Wallet | undefined;
  /** A new mnemonic (24 words) stored sealed under `passphrase` and unlocked; it stays in `backup` until dismissed. */
  create(passphrase: string): Promise<void>;
  /** The phrase just created, shown once so the user can write it down. */
  backup: string | undefined;
  dismissBackup(): void;
  /** Stores `mnemonic` sealed under `passphrase` (replacing any stored key) and unlocks it. */
  importKey(mnemonic: string, passphrase: string): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  /** Drops the key from memory; the sealed record stays. */
  lock(): void;
  /** Locks and deletes the sealed record from this browser. */
  forget(): void;
  /** Replaces the state with an externally connected wallet (Keplr). */
  connect(wallet: Wallet): void;
}

const WalletContext = createContext<WalletContextValue | undefined>(undefined);

/** The state from what this browser stores (a corrupt record reads as none: it can only be forgotten or replaced). */
function initialStatus(): WalletStatus {
  try {
    const record = storedKeyRecord();
    return record === undefined ? { status: "empty" } : { status: "locked", address: record.address };
  } catch (err) {
    if (err instanceof KeyRecordError) return { status: "empty" };
    throw err;
  }
}

export function WalletProvider({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<WalletStatus>(initialStatus);
  const [backup, setBackup] = useState<string>();
  // Keplr switched accounts: the connected wallet no longer signs for the address shown.
  useEffect(() => {
    if (state.status !== "unlocked" || state.wallet.kind !== "keplr") return;
    const drop = () => setState(initialStatus());
    window.addEventListener("keplr_keystorechange", drop);
    return () => window.removeEventListener("keplr_keystorechange", drop);
  }, [state]);
  const importKey = useCallback(async (mnemonic: string, passphrase: string) => {
    setState({ status: "unlocked", wallet: await (await localKeys()).importMnemonic(mnemonic, passphrase) });
  }, []);
  const value = useMemo<WalletContextValue>(
    () => ({
      state,
      wallet: state.status === "unlocked" ? state.wallet : undefined,
      importKey,
      async create(passphrase) {
        const mnemonic = (await import("../../../sdk/browser")).generateMnemonic();
        await importKey(mnemonic, passphrase);
        setBackup(mnemonic);
      },
      backup,
      dismissBackup: () => setBackup(undefined),
      async unlock(passphrase) {
        setState({ status: "unlocked", wallet: await (await localKeys()).unlockStored(passphrase) });
      },
      lock() {
        setBackup(undefined);
        setState(initialStatus());
      },
      forget() {
        setBackup(undefined);
        forgetStored();
        setState({ status: "empty" });
      },
      connect(wallet) {
        setState({ status: "unlocked", wallet });
      },
    }),
    [state, backup, importKey],
  );
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

/** The wallet context; pages sign with `useWallet().wallet` through web/src/tx.ts signAndBroadcast. */
export function useWallet(): WalletContextValue {
  const value = useContext(WalletContext);
  if (value === undefined) throw new Error("useWallet() outside <WalletProvider>");
  return value;
}
