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

/** One validator's power and its parts (ogpu.staking.v1 ValidatorPowers; docs/staking.md). */
export interface ValidatorPower {
  operator_address: string;
  tokens: string;
  stake: string;
  compute_credit: string;
  compute_bonus_bps: string;
  reliability_bps: string;
  power: string;
  multiplier_bps: string;
  jailed: boolean;
}

export interface ValidatorPowers {
  validators: ValidatorPower[];
  compute_alpha_bps: string;
  compute_kappa: string;
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
  validatorPowers: () => getJson<ValidatorPowers>("/ogpu/staking/v1/validator_powers?pagination.limit=1000"),
  rewards: (address: string) => getJson<{ total: { denom: string; amount: string }[] }>(`/cosmos/distribution/v1beta1/delegators/${encodeURIComponent(address)}/rewards`),
};

/** What x/mint has paid and is counting for one worker (ogpu.mint.v1 ProviderRewards; docs/mint.md). */
export interface ProviderRewards {
  fee_credit: string;
  uptime_windows: string;
  total_paid: string;
  last_reward: string;
  epoch_start: string;
}

/** One GPU model the chain knows (x/workers params gpu_catalog). */
export interface CatalogGpu {
  vendor: string;
  model: string;
  tier: number;
}

export const providerApi = {
  providerRewards: (worker: string) => getJson<ProviderRewards>(`/ogpu/mint/v1/provider_rewards/${encodeURIComponent(worker)}`),
  /** x/workers params (params_json): the GPU catalogue and the smallest bond. */
  workersParams: async () => {
    const { params_json } = await getJson<{ params_json: string }>("/ogpu/workers/v1/params");
    return JSON.parse(params_json) as { gpu_catalog: CatalogGpu[]; min_worker_bond: string };
  },
  rewards: (delegator: string) => getJson<{ rewards: { validator_address: string; reward: { denom: string; amount: string }[] }[]; total: { denom: string; amount: string }[] }>(`/cosmos/distribution/v1beta1/delegators/${encodeURIComponent(delegator)}/rewards`),
  commission: (valoper: string) => getJson<{ commission: { commission: { denom: string; amount: string }[] } }>(`/cosmos/distribution/v1beta1/validators/${encodeURIComponent(valoper)}/commission`),
};

/** "12345678" uogpu as "12.345678" OGPU, without floats. */
export function formatOgpu(uogpu: string | bigint): string {
  const value = BigInt(uogpu);
  const whole = value / 1_000_000n;
  const frac = (value % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}

/** "12.5" OGPU as 12500000n uogpu, without floats; throws on anything but a non-negative decimal with ≤ 6 places. */
export function parseOgpu(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (match === null) throw new Error(`"${text}" is not an OGPU amount (digits, at most 6 decimals)`);
  return BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? "").padEnd(6, "0"));
}

/** A bps figure (10000 = 1) as a decimal, without floats: 12500 → "1.25". */
export function formatBps(bps: bigint): string {
  const whole = bps / 10_000n;
  const frac = (bps % 10_000n).toString().padStart(4, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}

/** One slash as /ogpu/history/v1/slashes lists it (amount in uogpu). */
export interface SlashEntry {
  height: string;
  subject: "worker" | "validator";
  address: string;
  reason: string;
  amount: string;
  task_id: string;
}

/** One audit or dispute committee as /ogpu/history/v1/audits lists it. */
export interface AuditEntry {
  height: string;
  task_id: string;
  kind: string;
  members: string[];
  deadline: string;
  task_status: string;
}

export const history = {
  /** Newest first; `address`: only that worker operator's or validator's. */
  slashes: (limit = 20, address = "") => getJson<{ slashes: SlashEntry[] }>(`/ogpu/history/v1/slashes?limit=${limit}${address === "" ? "" : `&address=${encodeURIComponent(address)}`}`),
  audits: (limit = 20) => getJson<{ audits: AuditEntry[] }>(`/ogpu/history/v1/audits?limit=${limit}`),
};
