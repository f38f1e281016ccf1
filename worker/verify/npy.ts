/**
 * Numeric arrays as tolerance verification reads them: `.npy` files (format versions 1, 2 and 3)
 * and raw little-endian float32/float64 with a declared shape. Off-chain only — floats never
 * reach consensus code; the chain sees the verdicts auditors derive from these values.
 *
 * Bounds: the header is at most MAX_NPY_HEADER bytes and the array at most MAX_ARRAY_ELEMENTS
 * elements, so a hostile output cannot make an auditor allocate without limit.
 */
import { startsWithBytes } from "../../crypto/bytes.js";

/** Element types accepted: float32/float64 and int32/int64, either byte order. */
export type DType = "f4" | "f8" | "i4" | "i8";

export interface NumericArray {
  shape: number[];
  dtype: DType;
  /** Values in C (row-major) order; int64 beyond 2^53 lose precision, which a tolerance check accepts. */
  data: Float64Array;
}

export const MAX_NPY_HEADER = 64 * 1024;
export const MAX_ARRAY_ELEMENTS = 64 * 1024 * 1024;

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // "\x93NUMPY"

/** Whether `bytes` starts like an .npy file (the magic; the rest is checked by parsing). */
export const isNpy = (bytes: Uint8Array): boolean => startsWithBytes(bytes, MAGIC);
const ITEM_SIZE: Record<DType, number> = { f4: 4, f8: 8, i4: 4, i8: 8 };

/** Parses a `.npy` file; throws with a reason on anything it cannot read exactly. */
export function parseNpy(bytes: Uint8Array): NumericArray {
  if (bytes.length < 10 || !isNpy(bytes)) throw new Error("npy: missing \\x93NUMPY magic");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error("npy: truncated header length");
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`npy: unsupported format version ${major}`);
  }
  if (headerLength > MAX_NPY_HEADER) throw new Error(`npy: header of ${headerLength} bytes exceeds ${MAX_NPY_HEADER}`);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw new Error("npy: truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortran, shape } = parseHeader(header);
  if (fortran) throw new Error("npy: Fortran-order arrays are not supported (write C order)");
  const match = /^([<>|=])([fi])([48])$/.exec(descr);
  if (!match) throw new Error(`npy: unsupported dtype ${JSON.stringify(descr)} (f4, f8, i4, i8 only)`);
  const dtype = `${match[2]}${match[3]}` as DType;
  // "|" (not applicable) and "=" (native) only occur for 1-byte types in files numpy writes; treat as little endian.
  const littleEndian = match[1] !== ">";
  return { shape, dtype, data: decode(bytes.subarray(dataStart), dtype, littleEndian, shape) };
}

/** Raw little-endian float32 (`f32le`) or float64 (`f64le`) values with a declared shape. */
export function parseRaw(bytes: Uint8Array, format: "f32le" | "f64le", shape: readonly number[]): NumericArray {
  checkShape(shape);
  const dtype: DType = format === "f32le" ? "f4" : "f8";
  return { shape: [...shape], dtype, data: decode(bytes, dtype, true, shape) };
}

function decode(body: Uint8Array, dtype: DType, littleEndian: boolean, shape: readonly number[]): Float64Array {
  const count = elementCount(shape);
  const size = ITEM_SIZE[dtype];
  if (body.length !== count * size) {
    throw new Error(`array: ${body.length} data bytes, shape ${JSON.stringify(shape)} of ${dtype} needs ${count * size}`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    if (dtype === "f4") out[i] = view.getFloat32(at, littleEndian);
    else if (dtype === "f8") out[i] = view.getFloat64(at, littleEndian);
    else if (dtype === "i4") out[i] = view.getInt32(at, littleEndian);
    else out[i] = Number(view.getBigInt64(at, littleEndian));
  }
  return out;
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) {
    count *= dim;
    if (count > MAX_ARRAY_ELEMENTS) throw new Error(`array: more than ${MAX_ARRAY_ELEMENTS} elements`);
  }
  return count;
}

function checkShape(shape: readonly number[]): void {
  if (shape.length > 32) throw new Error("array: more than 32 dimensions");
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new Error(`array: bad dimension ${dim}`);
  }
  elementCount(shape);
}

/**
 * The header is a Python dict literal, e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
 * Only that fixed shape is accepted — it is not evaluated as Python.
 */
function parseHeader(header: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr':\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error("npy: header is not a {descr, fortran_order, shape} dict");
  const dims = shape[1].split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const parsed = dims.map((d) => {
    if (!/^\d+$/.test(d)) throw new Error(`npy: bad dimension ${JSON.stringify(d)}`);
    return Number(d);
  });
  checkShape(parsed);
  return { descr: descr[1], fortran: fortran[1] === "True", shape: parsed };
}
