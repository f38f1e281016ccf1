/**
 * Upload authorisation for POST /blobs, decided from the headers alone: the signature covers the
 * CID, size and expiry of the body, so a bad uploader is refused before any of the body is read.
 */
import type { FastifyRequest } from "fastify";
import { parseAccountAddress } from "../app/address.js";
import { addressOf, pubKeyFromRaw, SECP256K1_PUBKEY_TYPE_URL, signatureLength, verifySignature } from "../crypto/pubkey.js";
import {
  adr036SignBytes,
  BLOB_CID_FORM,
  BLOB_HEADERS,
  BLOB_SIGNATURE_FORM_HEADER,
  BLOB_SIGNATURE_FORMS,
  blobUploadSignBytes,
  isBlobCid,
  type BlobSignatureForm,
  type UploadClaim,
} from "../sdk/blobs.js";
import { BlobStoreError } from "./blob-store.js";

/** Strict base64 (Buffer.from silently skips bad characters), else null. */
function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return new Uint8Array(Buffer.from(text, "base64"));
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

const unauthorized = (reason: "missing_auth" | "invalid_account" | "invalid_pubkey" | "invalid_signature" | "pubkey_mismatch" | "signature_expired" | "expiry_too_far", message: string) =>
  new BlobStoreError(401, reason, message);
const badRequest = (reason: "invalid_cid" | "invalid_size" | "invalid_expiry", message: string) => new BlobStoreError(400, reason, message);

/** The signature form header: absent = "plain"; anything but a known form is refused. */
function signatureForm(request: FastifyRequest): BlobSignatureForm {
  const text = header(request, BLOB_SIGNATURE_FORM_HEADER);
  if (text === undefined) return "plain";
  const form = BLOB_SIGNATURE_FORMS.find((f) => f === text);
  if (form === undefined) throw unauthorized("invalid_signature", `${BLOB_SIGNATURE_FORM_HEADER} must be one of ${BLOB_SIGNATURE_FORMS.join(", ")}, got '${text.slice(0, 40)}'`);
  return form;
}

/**
 * The verified claim of an upload: headers present and well formed, pubkey owns the account,
 * `currentHeight ≤ expiry ≤ currentHeight + maxValidity`, and the signature covers all of it —
 * the claim text itself, or its ADR-036 sign doc when the form header says "adr036".
 */
export function verifyUploadClaim(request: FastifyRequest, currentHeight: bigint, maxValidity: bigint): UploadClaim {
  const values = Object.fromEntries(Object.entries(BLOB_HEADERS).map(([key, name]) => [key, header(request, name)])) as Record<keyof typeof BLOB_HEADERS, string | undefined>;
  const missing = Object.entries(BLOB_HEADERS).filter(([key]) => values[key as keyof typeof BLOB_HEADERS] === undefined).map(([, name]) => name);
  const { account, pubkey: pubkeyText, cid, size: sizeText, expiry: expiryText, signature: signatureText } = values;
  if (account === undefined || pubkeyText === undefined || cid === undefined || sizeText === undefined || expiryText === undefined || signatureText === undefined) {
    throw unauthorized("missing_auth", `upload must be signed: missing header(s) ${missing.join(", ")}`);
  }
  let address: Uint8Array;
  try {
    address = parseAccountAddress(account, BLOB_HEADERS.account);
  } catch (err) {
    throw unauthorized("invalid_account", err instanceof Error ? err.message : String(err));
  }
  const raw = decodeBase64(pubkeyText);
  const pubkey = raw === null ? undefined : pubKeyFromRaw(raw);
  if (pubkey === undefined) throw unauthorized("invalid_pubkey", `${BLOB_HEADERS.pubkey} must be a base64 33-byte compressed secp256k1 or 1952-byte ML-DSA-65 key`);
  const form = signatureForm(request);
  if (form === "adr036" && pubkey.typeUrl !== SECP256K1_PUBKEY_TYPE_URL) throw unauthorized("invalid_pubkey", `the adr036 signature form is for secp256k1 keys (ADR-036 wallets); an ${pubkey.typeUrl} key signs the plain form`);
  const signature = decodeBase64(signatureText);
  const sigLength = signatureLength(pubkey.typeUrl);
  if (signature === null || signature.length !== sigLength) throw unauthorized("invalid_signature", `${BLOB_HEADERS.signature} must be a base64 ${sigLength}-byte signature for a ${pubkey.typeUrl} key`);
  if (!isBlobCid(cid)) throw badRequest("invalid_cid", `${BLOB_HEADERS.cid} must be the body's CID, ${BLOB_CID_FORM}; got '${cid.slice(0, 80)}'`);
  if (!/^\d{1,15}$/.test(sizeText)) throw badRequest("invalid_size", `${BLOB_HEADERS.size} must be the body's length in bytes, got '${sizeText.slice(0, 40)}'`);
  if (!/^\d{1,20}$/.test(expiryText)) throw badRequest("invalid_expiry", `${BLOB_HEADERS.expiry} must be a block height, got '${expiryText.slice(0, 40)}'`);
  if (!Buffer.from(addressOf(pubkey)).equals(address)) {
    throw unauthorized("pubkey_mismatch", `${BLOB_HEADERS.pubkey} is not the key of account ${account}`);
  }
  const expiry = BigInt(expiryText);
  if (expiry < currentHeight) throw unauthorized("signature_expired", `upload signature expired at height ${expiry}, node is at ${currentHeight}; sign again`);
  if (expiry > currentHeight + maxValidity) {
    throw unauthorized("expiry_too_far", `upload signature expires at height ${expiry}, more than ${maxValidity} blocks after the node's height ${currentHeight}`);
  }
  const claim: UploadClaim = { cid, size: Number(sizeText), expiry, account, pubkey: pubkey.key };
  const claimBytes = blobUploadSignBytes(claim);
  if (!verifySignature(pubkey, form === "adr036" ? adr036SignBytes(account, claimBytes) : claimBytes, signature)) {
    throw unauthorized("invalid_signature", `${form} signature does not authorise ${account} to upload blob ${cid} of ${claim.size} bytes until height ${expiry}`);
  }
  return claim;
}
