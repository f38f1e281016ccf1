/**
 * What test/e2e/web-wallet.e2e.test.ts loads into Chromium besides the /ui page: the wallet and
 * tx modules the pages use, on `globalThis`, so the test drives the real client code (blob
 * uploads, Keplr) from a page on another origin than the node. Not part of the dashboard build.
 */
import { fetchBlob } from "../../../sdk/browser";
import { saveRestBase } from "../api";
import { chainFeeInfo, signAndBroadcast, uploadFromWallet } from "../tx";
import { connectKeplr } from "./keplr";
import { localWallet } from "./local";

Object.assign(globalThis, { ogpuWallet: { localWallet, connectKeplr, signAndBroadcast, chainFeeInfo, uploadFromWallet, fetchBlob, saveRestBase } });
