import { bytesEqual } from "../../crypto/bytes.js";
import { emitTxEvent } from "./events.js";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { coinsFromWire, coinsToString } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { AppError, SdkCode, sdkError } from "../../app/errors.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { DecodedTx } from "../../app/tx/decode.js";
import { checkMinGasPrice } from "../../app/tx/fees.js";
import type { AnteHandler, AnteOptions } from "../../app/tx/runner.js";
import { decodePubKeyAny, addressOf, sigVerifyGas, type PubKey } from "../../crypto/pubkey.js";
import type { BankKeeper } from "../bank/keeper.js";
import { getAccount, setAccount, FEE_COLLECTOR, type Account } from "./keeper.js";
import { authParams } from "./params.js";

/** What the ante handler needs from other modules: fees move to the fee collector. */
export interface AnteDeps {
  bank: Pick<BankKeeper, "sendToModule">;
}


/** Signed-size stand-in for an empty signature during simulation (a secp256k1 r‖s). */
const SIMULATED_SIGNATURE_BYTES = 64;

/** Unique signer addresses in message order — the SDK's GetSigners. */
function txSigners(tx: DecodedTx): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const msg of tx.msgs) {
    msg.validate();
    for (const signer of msg.signers()) {
      if (seen.has(signer)) continue;
      seen.add(signer);
      out.push(parseAccountAddress(signer, "signer address"));
    }
  }
  return out;
}

/**
 * The ante handler, in the Cosmos SDK's order and with its error codes: basic validation,
 * timeout height, memo, size gas, fee (min gas price in CheckTx, deduction), public keys,
 * signature count and gas, sequences and signatures, sequence increment. Its writes (fee,
 * sequence) stand even when a message later fails.
 */
export function createAnteHandler({ bank }: AnteDeps): AnteHandler {
  return (ctx, tx, opts) => runAnte(bank, ctx, tx, opts);
}

function runAnte(bank: AnteDeps["bank"], ctx: Context, tx: DecodedTx, opts: AnteOptions): void {
  const params = authParams.get(ctx.store);
  const simulate = ctx.mode === "simulate";
  if (tx.bytes.length > params.max_tx_bytes) {
    throw sdkError(SdkCode.TxTooLarge, `tx size ${tx.bytes.length} bytes exceeds max ${params.max_tx_bytes}: tx too large`);
  }
  if (tx.body.extensionOptions.length > 0) throw sdkError(SdkCode.UnknownExtensionOptions, "unknown extension options");

  // ValidateBasic: signatures present and matching the signers.
  const signers = txSigners(tx);
  const sigs = tx.raw.signatures;
  if (sigs.length === 0) throw sdkError(SdkCode.NoSignatures, "no signatures supplied");
  if (sigs.length !== signers.length || tx.authInfo.signerInfos.length !== signers.length) {
    throw sdkError(SdkCode.Unauthorized, `wrong number of signers; expected ${signers.length}, got ${sigs.length}: unauthorized`);
  }
  const fee = tx.authInfo.fee;
  if (!fee) throw sdkError(SdkCode.InsufficientFee, "fee is missing: insufficient fee");
  const feeCoins = coinsOrError(fee.amount);
  if (fee.granter !== "") throw sdkError(SdkCode.InvalidRequest, "fee grants are not supported: invalid request");
  if (fee.payer !== "" && fee.payer !== accountAddressString(signers[0]!)) {
    throw sdkError(SdkCode.InvalidRequest, "fee payer must be the first signer: invalid request");
  }

  const timeout = tx.body.timeoutHeight;
  if (timeout > 0n && ctx.block.height > timeout) {
    throw sdkError(SdkCode.TxTimeoutHeight, `block height: ${ctx.block.height}, timeout height: ${timeout}: tx timeout height`);
  }
  const memoChars = [...tx.body.memo].length;
  if (memoChars > params.max_memo_characters) {
    throw sdkError(SdkCode.MemoTooLarge, `maximum number of characters is ${params.max_memo_characters} but received ${memoChars} characters: memo too large`);
  }

  const simulatedSigBytes = simulate ? sigs.filter((s) => s.length === 0).length * SIMULATED_SIGNATURE_BYTES : 0;
  ctx.gas.consume((tx.bytes.length + simulatedSigBytes) * params.tx_size_cost_per_byte, "txSize");

  // Fee: the node's minimum (CheckTx only), then deduction from the first signer.
  if ((ctx.mode === "check" || ctx.mode === "recheck") && !simulate) checkMinGasPrice(feeCoins, fee.gasLimit, opts.minGasPrices);
  const payer = signers[0]!;
  const payerAccount = getAccount(ctx.store, payer);
  if (!payerAccount) {
    throw sdkError(SdkCode.UnknownAddress, `fee payer address: ${accountAddressString(payer)} does not exist: unknown address`);
  }
  if (feeCoins.length > 0) {
    try {
      bank.sendToModule(ctx, payer, FEE_COLLECTOR, feeCoins);
    } catch (err) {
      if (err instanceof AppError && err.code === SdkCode.InsufficientFunds) {
        throw sdkError(SdkCode.InsufficientFunds, `${err.message.replace(/: insufficient funds$/, "")}: insufficient funds to pay fees`);
      }
      throw err;
    }
  }
  emitTxEvent(ctx.events, { fee: coinsToString(feeCoins), fee_payer: accountAddressString(payer) });

  // Public keys, signature count and gas, sequences and signatures.
  if (sigs.length > params.tx_sig_limit) {
    throw sdkError(SdkCode.TooManySignatures, `signatures: ${sigs.length}, limit: ${params.tx_sig_limit}: maximum number of signatures exceeded`);
  }
  signers.forEach((address, i) => {
    const info = tx.authInfo.signerInfos[i]!;
    const account = getAccount(ctx.store, address);
    if (!account) throw sdkError(SdkCode.UnknownAddress, `account ${accountAddressString(address)} does not exist: unknown address`);
    const pk = signerPubKey(account, info.publicKey, i);
    ctx.gas.consume(pk.typeUrl === SECP256K1 ? params.sig_verify_cost_secp256k1 : Number(sigVerifyGas(pk)), "ante verify: " + pk.typeUrl);
    const mode = info.modeInfo?.single?.mode;
    // Simulate carries no real signature (cosmjs sends SIGN_MODE_UNSPECIFIED and empty bytes, as
    // the SDK accepts), so the mode only matters when a signature is verified.
    if (!simulate && mode !== SignMode.SIGN_MODE_DIRECT) {
      throw sdkError(SdkCode.Unauthorized, `signature mode ${mode ?? "multi"} is not supported, use SIGN_MODE_DIRECT: unauthorized`);
    }
    if (info.sequence !== account.sequence) {
      throw sdkError(SdkCode.WrongSequence, `account sequence mismatch, expected ${account.sequence}, got ${info.sequence}: incorrect account sequence`);
    }
    // Simulation has no signatures; a recheck re-runs a tx whose signature CheckTx verified
    // (the SDK skips it too) — only sequence and fee can have changed since.
    if (!simulate && ctx.mode !== "recheck") {
      const signBytes = SignDoc.encode({
        bodyBytes: tx.raw.bodyBytes,
        authInfoBytes: tx.raw.authInfoBytes,
        chainId: ctx.block.chainId,
        // Genesis txs (gentxs) are signed before accounts have numbers: the SDK signs them with 0.
        accountNumber: ctx.block.height === 0n ? 0n : account.accountNumber,
      }).finish();
      if (!opts.signatures.verify(pk, signBytes, sigs[i]!)) {
        throw sdkError(
          SdkCode.Unauthorized,
          `signature verification failed; please verify account number (${account.accountNumber}), sequence (${account.sequence}) and chain-id (${ctx.block.chainId}): unauthorized`,
        );
      }
    }
    setAccount(ctx.store, { ...account, pubKey: account.pubKey ?? info.publicKey, sequence: account.sequence + 1n });
    emitTxEvent(ctx.events, { acc_seq: `${accountAddressString(address)}/${account.sequence}` });
    emitTxEvent(ctx.events, { signature: Buffer.from(sigs[i]!).toString("base64") });
  });
}

const SECP256K1 = "/cosmos.crypto.secp256k1.PubKey";

function coinsOrError(wire: readonly { denom: string; amount: string }[]) {
  try {
    return coinsFromWire(wire);
  } catch (err) {
    throw sdkError(SdkCode.InsufficientFee, `invalid fee provided: ${(err as Error).message}: insufficient fee`);
  }
}

/**
 * The key that must have signed: the account's stored key, or — on its first tx — the key
 * in the signer info, which must hash to the account's address.
 */
function signerPubKey(account: Account, provided: { typeUrl: string; value: Uint8Array } | undefined, index: number): PubKey {
  const address = accountAddressString(account.address);
  if (account.pubKey) {
    if (provided && (provided.typeUrl !== account.pubKey.typeUrl || !bytesEqual(provided.value, account.pubKey.value))) {
      throw sdkError(SdkCode.InvalidPubKey, `pubKey does not match the key on account ${address} with signer index: ${index}: invalid pubkey`);
    }
    return decodePubKeyAny(account.pubKey);
  }
  if (!provided) throw sdkError(SdkCode.InvalidPubKey, `pubkey on account ${address} is not set: invalid pubkey`);
  let pk: PubKey;
  try {
    pk = decodePubKeyAny(provided);
  } catch (err) {
    throw sdkError(SdkCode.InvalidPubKey, `${(err as Error).message}: invalid pubkey`);
  }
  if (!bytesEqual(addressOf(pk), account.address)) {
    throw sdkError(SdkCode.InvalidPubKey, `pubKey does not match signer address ${address} with signer index: ${index}: invalid pubkey`);
  }
  return pk;
}
