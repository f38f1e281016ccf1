/**
 * What sdk/browser.test.ts loads into Chromium: the SDK's browser entry and the vector
 * function, on `globalThis` for the test's page.evaluate calls.
 */
import * as lib from "../browser.js";
import { envelopeVectors } from "./envelope-vectors.js";

Object.assign(globalThis, { ogpuSdk: lib, ogpuVectors: () => envelopeVectors(lib) });
