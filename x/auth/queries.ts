import { QueryAccountRequest, QueryAccountResponse, QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import * as ogpuAuthQuery from "../../proto/gen/ogpu/auth/v1/query.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { notFound } from "../../app/errors.js";
import { accountAddressString, parseQueryAddress } from "../../app/address.js";
import { getAccount, moduleAccountName } from "./keeper.js";
import { authParams } from "./params.js";

export const authQueries: QueryMethod[] = [
  defineQuery("/cosmos.auth.v1beta1.Query/Account", { request: QueryAccountRequest, response: QueryAccountResponse }, (ctx, req) => {
    const address = parseQueryAddress(req.address);
    const acc = getAccount(ctx.store, address);
    if (!acc) throw notFound(`account ${req.address} not found`);
    const base = BaseAccount.fromPartial({
      address: accountAddressString(address),
      pubKey: acc.pubKey,
      accountNumber: acc.accountNumber,
      sequence: acc.sequence,
    });
    const moduleName = moduleAccountName(ctx.store, address);
    if (moduleName !== undefined) {
      const value = ModuleAccount.encode({ baseAccount: base, name: moduleName, permissions: [] }).finish();
      return { account: { typeUrl: "/cosmos.auth.v1beta1.ModuleAccount", value } };
    }
    return { account: { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(base).finish() } };
  }),
  defineQuery("/cosmos.auth.v1beta1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => {
    const p = authParams.get(ctx.store);
    return {
      params: {
        maxMemoCharacters: BigInt(p.max_memo_characters),
        txSigLimit: BigInt(p.tx_sig_limit),
        txSizeCostPerByte: BigInt(p.tx_size_cost_per_byte),
        sigVerifyCostEd25519: 590n,
        sigVerifyCostSecp256k1: BigInt(p.sig_verify_cost_secp256k1),
      },
    };
  }),
  defineParamsJsonQuery(ogpuAuthQuery.protobufPackage, authParams, { request: ogpuAuthQuery.QueryParamsRequest, response: ogpuAuthQuery.QueryParamsResponse }),
];
