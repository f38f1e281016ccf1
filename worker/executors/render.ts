/**
 * `render`: escape-time fractal (Mandelbrot or Julia set) in fixed-point integer arithmetic,
 * output as an 8-bit grayscale PNG.
 *
 * Coordinates are Q22 fixed point: the integer v stands for v / 2^22. Values are held in JS
 * numbers but are always integers below 2^53, so every operation is exact: inputs are bounded
 * to |re|,|im| ≤ 4, a point is iterated only while x²+y² ≤ 4 (|x|,|y| ≤ 2), so the next
 * |x|,|y| ≤ 4 + 4 = 8 = 2^25 in Q22 and its square ≤ 2^50. Products are rescaled with
 * Math.floor(p / 2^22), an exact arithmetic shift (rounds toward −∞).
 *
 * Iteration (z₀ = 0 and c = pixel for Mandelbrot; z₀ = pixel and c = (julia_re, julia_im) for Julia):
 *   x2 = ⌊x·x/2^22⌋, y2 = ⌊y·y/2^22⌋; stop if x2 + y2 > 4·2^22
 *   y = ⌊2·x·y/2^22⌋ + c_im;  x = x2 − y2 + c_re;  i += 1   (at most max_iter times)
 * Pixel (px, py) is c = (re_min + px·step, im_max − py·step).
 * Gray = 0 for points that never escape, else 255 − ⌊255·i / max_iter⌋.
 *
 * Input (JSON): {"width", "height", "max_iter", "re_min", "im_max", "step",
 *                "fractal": "mandelbrot" | "julia", "julia_re", "julia_im"}
 */
import { intField, isJsonInput, parseJsonParams, throwIfAborted, yieldToEventLoop, checkMaxSize, type JsonParams } from "./params.js";
import { encodeGrayscalePng } from "./png.js";
import { badInput, type ExecContext, type Executor } from "./types.js";

const KIND = "render";
export const FRAC_BITS = 22;
export const ONE = 2 ** FRAC_BITS;
/** Every coordinate (pixel or Julia constant) must lie within ±LIMIT (= ±4.0). */
const LIMIT = 4 * ONE;
const ESCAPE = 4 * ONE;
export const RENDER_MAX_SIDE = 4096;
export const RENDER_MAX_ITER = 100_000;
/** Bound on width × height × max_iter so a task cannot occupy a worker for hours. */
export const RENDER_MAX_WORK = 2 ** 31;
const ITERS_PER_YIELD = 1 << 22;

export interface RenderParams {
  width: number;
  height: number;
  maxIter: number;
  reMin: number;
  imMax: number;
  step: number;
  julia?: { re: number; im: number };
}

/** Converts a decimal value to Q22 (for building inputs; the kernel itself takes integers). */
export function toFixed(value: number): number {
  return Math.round(value * ONE);
}

function coordinate(params: JsonParams, name: string, fallback?: number): number {
  return intField(KIND, params, name, -LIMIT, LIMIT, fallback);
}

export function parseRenderInput(input: Uint8Array): RenderParams {
  checkMaxSize(KIND, input, 4096);
  if (!isJsonInput(input)) throw badInput(KIND, "input must be a JSON object");
  const params = parseJsonParams(KIND, input, ["width", "height", "max_iter", "re_min", "im_max", "step", "fractal", "julia_re", "julia_im"]);
  const width = intField(KIND, params, "width", 1, RENDER_MAX_SIDE);
  const height = intField(KIND, params, "height", 1, RENDER_MAX_SIDE);
  const maxIter = intField(KIND, params, "max_iter", 1, RENDER_MAX_ITER);
  if (width * height * maxIter > RENDER_MAX_WORK) throw badInput(KIND, `width × height × max_iter must be ≤ ${RENDER_MAX_WORK}`);
  // Default viewport: re ∈ [-2.5, 1.0], centred vertically, square pixels.
  const defaultStep = Math.max(1, Math.floor((7 * ONE) / 2 / width));
  const step = intField(KIND, params, "step", 1, LIMIT, defaultStep);
  const reMin = coordinate(params, "re_min", params.step === undefined ? -(5 * ONE) / 2 : undefined);
  const imMax = coordinate(params, "im_max", params.step === undefined ? Math.floor((step * (height - 1)) / 2) : undefined);
  if (reMin + (width - 1) * step > LIMIT) throw badInput(KIND, "viewport exceeds re = +4.0 (re_min + (width-1)·step)");
  if (imMax - (height - 1) * step < -LIMIT) throw badInput(KIND, "viewport exceeds im = -4.0 (im_max - (height-1)·step)");
  const fractal = params.fractal ?? "mandelbrot";
  if (fractal !== "mandelbrot" && fractal !== "julia") throw badInput(KIND, 'field "fractal" must be "mandelbrot" or "julia"');
  if (fractal === "mandelbrot") {
    if (params.julia_re !== undefined || params.julia_im !== undefined) throw badInput(KIND, "julia_re/julia_im apply only to fractal=julia");
    return { width, height, maxIter, reMin, imMax, step };
  }
  return { width, height, maxIter, reMin, imMax, step, julia: { re: coordinate(params, "julia_re"), im: coordinate(params, "julia_im") } };
}

/** Escape count of one point; exported so tests and benchmarks can probe single pixels. */
export function escapeTime(zRe: number, zIm: number, cRe: number, cIm: number, maxIter: number): number {
  let x = zRe;
  let y = zIm;
  let i = 0;
  for (; i < maxIter; i++) {
    const x2 = Math.floor((x * x) / ONE);
    const y2 = Math.floor((y * y) / ONE);
    if (x2 + y2 > ESCAPE) break;
    y = Math.floor((2 * x * y) / ONE) + cIm;
    x = x2 - y2 + cRe;
  }
  return i;
}

export function grayLevel(iterations: number, maxIter: number): number {
  return iterations >= maxIter ? 0 : 255 - Math.floor((255 * iterations) / maxIter);
}

export async function renderPixels(p: RenderParams, signal: AbortSignal): Promise<Uint8Array> {
  const pixels = new Uint8Array(p.width * p.height);
  let sinceYield = 0;
  for (let py = 0; py < p.height; py++) {
    const im = p.imMax - py * p.step;
    for (let px = 0; px < p.width; px++) {
      const re = p.reMin + px * p.step;
      const i = p.julia ? escapeTime(re, im, p.julia.re, p.julia.im, p.maxIter) : escapeTime(0, 0, re, im, p.maxIter);
      pixels[py * p.width + px] = grayLevel(i, p.maxIter);
      sinceYield += i + 1;
    }
    if (sinceYield >= ITERS_PER_YIELD) {
      sinceYield = 0;
      await yieldToEventLoop(KIND, signal);
    }
  }
  return pixels;
}

export const renderExecutor: Executor = {
  kind: KIND,
  async run(input: Uint8Array, ctx: ExecContext): Promise<Uint8Array> {
    throwIfAborted(KIND, ctx.signal);
    const params = parseRenderInput(input);
    return encodeGrayscalePng(params.width, params.height, await renderPixels(params, ctx.signal));
  },
};
