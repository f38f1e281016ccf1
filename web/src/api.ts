/**
 * The node's REST (LCD) routes as the dashboard reads them. Every page asks the node named in
 * the settings box; by default the node that served the page. Amounts stay decimal strings or
 * bigints: the chain's integers are wider than a JS number.
 */
export const HEIGHT_HEADER = "x-cosmos-block-height";

const SETTINGS_KEY = "ogpu.rest";

/** The REST base URL the dashboard talks to: saved settings, else this page's own origin. */
export function restBase(): string {
  return localStorage.getItem(SETTINGS_KEY) ?? window.location.origin;
}

export function saveRestBase(url: string): void {
  if (url.trim() === "") localStorage.removeItem(SETTINGS_KEY);
  else localStorage.setItem(SETTINGS_KEY, url.trim().replace(/\/+$/, ""));
}

/** GET a REST path as JSON; a non-2xx answer throws with the gateway's message. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(restBase() + path);
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  return body;
}

export interface LatestBlock {
  block: { header: { height: string; time: string; chain_id: string } };
}

export interface Validator {
  operator_address: string;
  description: { moniker: string };
  tokens: string;
  jailed: boolean;
  status: string;
}

export interface ValidatorSetEntry {
  address: string;
  voting_power: string;
}

export interface TierPrice {
  tier: number;
  base_price_per_unit: string;
  utilization_bps: number;
}

export interface Gpu {
  model: string;
  count?: number;
  vram_gb?: number;
  /** uint64 as a decimal string. */
  vram_mb?: string;
}

export interface WorkerInfo {
  operator: string;
  gpus: Gpu[];
  region: string;
  price_per_unit: string;
  max_concurrent: number;
  bond: string;
  registered_height: string;
  last_heartbeat_height: string;
  open_tasks: number;
  reliability?: Record<string, string | number>;
  exit_height: string;
  runtimes: string[];
  /** X25519 ‖ ML-KEM-768 public key inputs are sealed to, base64. */
  enc_pubkey?: string | null;
}

export interface WorkerView {
  worker: WorkerInfo;
  status: string;
  tier: number;
}

export interface Task {
  id: string;
  client: string;
  status: string;
  [field: string]: unknown;
}

/** A committed tx as the tx service renders it (GET /cosmos/tx/v1beta1/txs?query=…). */
export interface TxResponse {
  height: string;
  txhash: string;
  code: number;
  events: { type: string; attributes: { key: string; value: string }[] }[];
}

export const api = {
  latestBlock: () => getJson<LatestBlock>("/cosmos/base/tendermint/v1beta1/blocks/latest"),
  validators: () => getJson<{ validators: Validator[] }>("/cosmos/staking/v1beta1/validators"),
  validatorSet: () => getJson<{ validators: ValidatorSetEntry[] }>("/cosmos/base/tendermint/v1beta1/validatorsets/latest"),
  basePrice: () => getJson<{ prices: TierPrice[] }>("/ogpu/market/v1/base_price"),
  workers: () => getJson<{ workers: WorkerView[] }>("/ogpu/workers/v1/workers?pagination.limit=1000"),
  worker: (operator: string) => getJson<{ worker: WorkerView }>(`/ogpu/workers/v1/workers/${encodeURIComponent(operator)}`),
  tasks: (query = "") => getJson<{ tasks: Task[] }>(`/ogpu/market/v1/tasks?limit=1000${query}`),
  balances: (address: string) => getJson<{ balances: { denom: string; amount: string }[] }>(`/cosmos/bank/v1beta1/balances/${encodeURIComponent(address)}`),
  task: (id: string) => getJson<{ task: Task }>(`/ogpu/market/v1/tasks/${encodeURIComponent(id)}`),
  programs: () => getJson<{ builtins: { kind: string; program_hash: string }[] }>("/ogpu/market/v1/programs?pagination.limit=1"),
  auditorKeys: () => getJson<{ auditor_keys: { validator: string; enc_pubkey: string | null }[] }>("/ogpu/attest/v1/auditor_keys"),
  /** Committed txs matching a CometBFT event query, oldest first (one page of at most 100). */
  txsByEvent: (query: string) => getJson<{ tx_responses: TxResponse[] }>(`/cosmos/tx/v1beta1/txs?query=${encodeURIComponent(query)}&limit=100`),
  rewards: (address: string) => getJson<{ total: { denom: string; amount: string }[] }>(`/cosmos/distribution/v1beta1/delegators/${encodeURIComponent(address)}/rewards`),
};

/** "12345678" uogpu as "12.345678" OGPU, without floats. */
export function formatOgpu(uogpu: string | bigint): string {
  const value = BigInt(uogpu);
  const whole = value / 1_000_000n;
  const frac = (value % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}
