/**
 * The Network page's validator table: stake, the compute bonus and reliability that make up each
 * validator's consensus power (docs/staking.md "Consensus power", from the ValidatorPowers
 * query), the multiplier power / stake, and bars of its stake share against its compute share.
 */
import { api, formatBps, formatOgpu, type Validator, type ValidatorPower } from "./api";
import { Bar } from "./bars";
import { usePoll } from "./usePoll";

const POLL_MS = 6000;

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/** Share of `part` in `whole` as a percentage with one decimal (integers only until the text). */
function share(part: bigint, whole: bigint): string {
  if (whole === 0n) return "0.0 %";
  const tenths = (part * 1000n) / whole;
  return `${tenths / 10n}.${tenths % 10n} %`;
}

export function ValidatorsTable() {
  const validators = usePoll(api.validators, POLL_MS);
  const powers = usePoll(api.validatorPowers, POLL_MS);
  const monikers = new Map((validators.data?.validators ?? []).map((v: Validator) => [v.operator_address, v.description.moniker]));
  const rows = [...(powers.data?.validators ?? [])].sort((a, b) => (BigInt(b.power) > BigInt(a.power) ? 1 : BigInt(b.power) < BigInt(a.power) ? -1 : 0));
  const totalStake = sum(rows.map((v) => BigInt(v.stake)));
  const totalBonus = sum(rows.map((v) => BigInt(v.compute_bonus_bps)));
  const maxPower = rows.reduce((m, v) => (BigInt(v.power) > m ? BigInt(v.power) : m), 0n);
  const weights = powers.data;

  return (
    <>
      <h2 id="validators-title">Validators</h2>
      {powers.error && <p role="alert" class="error">Cannot read validator powers: {powers.error}</p>}
      <p class="note">
        power = (stake + compute bonus) × reliability; bonus = α × min(κ × stake, verified-work fees in OGPU)
        {weights && <> with α = {formatBps(BigInt(weights.compute_alpha_bps))}, κ = {weights.compute_kappa}</>}.
      </p>
      <div class="scroll">
      <table class="validators" data-testid="validators" aria-labelledby="validators-title">
        <thead>
          <tr>
            <th scope="col">Validator</th>
            <th scope="col">Compute multiplier</th>
            <th scope="col">Power</th>
            <th scope="col">Stake (OGPU) · share</th>
            <th scope="col">Compute bonus · share</th>
            <th scope="col">Reliability</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v: ValidatorPower) => {
            const name = monikers.get(v.operator_address) || v.operator_address;
            const stake = BigInt(v.stake);
            const bonus = BigInt(v.compute_bonus_bps);
            return (
              <tr key={v.operator_address} data-testid="validator-row">
                <th scope="row" title={v.operator_address}>{name}{v.jailed ? " (jailed)" : ""}</th>
                <td data-testid="multiplier">{formatBps(BigInt(v.multiplier_bps))}×</td>
                <td><Bar value={BigInt(v.power)} max={maxPower} label={`power of ${name}`} />{v.power}</td>
                <td><Bar value={stake} max={totalStake} label={`stake share of ${name}`} />{formatOgpu(BigInt(v.tokens))} · {share(stake, totalStake)}</td>
                <td><Bar value={bonus} max={totalBonus} label={`compute share of ${name}`} />{formatBps(bonus)} · {share(bonus, totalBonus)}</td>
                <td>{formatBps(BigInt(v.reliability_bps))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
      {rows.length === 0 && !powers.error && <p>No validators yet.</p>}
    </>
  );
}
