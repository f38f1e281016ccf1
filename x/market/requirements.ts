/**
 * A task's requirements as the scheduler matches them (x/workers hardwareMatcher), and the
 * stateless checks of the program part: the runtime a worker must advertise and the GPU
 * devices it must have (docs/programs.md). The chain never reads the program's manifest; the
 * client copies runtime and gpus from it, and a worker that finds them untrue declines.
 */
import { BLOB_CID_FORM, isBlobCid } from "../../crypto/cid.js";
import { isProgramRuntime, MAX_TASK_GPUS, PROGRAM_RUNTIMES, PROGRAM_TASK_KIND } from "../../app/program-runtimes.js";
import type { Requirements } from "../../proto/gen/ogpu/market/v1/market.js";
import type { MsgSubmitTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import type { GpuRequirement } from "../workers/keeper.js";
import { marketError, MarketCode } from "./errors.js";

const invalidMarket = (message: string) => marketError(MarketCode.InvalidTask, message);

export function taskRequirement(req: Requirements | undefined): GpuRequirement {
  return { minVramMb: req?.minVramMb ?? 0n, models: req?.gpuModels ?? [], tier: req?.tier ?? 0, runtime: req?.runtime ?? "", gpus: req?.gpus ?? 0 };
}

/** A program task names its bundle by CID and a known runtime; a built-in kind needs no runtime. */
export function validateProgramRequirements(msg: Pick<MsgSubmitTask, "kind" | "programHash" | "requirements">): void {
  const runtime = msg.requirements?.runtime ?? "";
  const gpus = msg.requirements?.gpus ?? 0;
  if (runtime !== "" && !isProgramRuntime(runtime)) throw invalidMarket(`requirements.runtime "${runtime.slice(0, 32)}" is not a runtime (known: ${PROGRAM_RUNTIMES.join(", ")})`);
  if (gpus > MAX_TASK_GPUS) throw invalidMarket(`requirements.gpus ${gpus} must be in 0..${MAX_TASK_GPUS}`);
  if (msg.kind === PROGRAM_TASK_KIND) {
    if (runtime === "") throw invalidMarket(`kind "${PROGRAM_TASK_KIND}" needs requirements.runtime (${PROGRAM_RUNTIMES.join(" or ")}, from the program's manifest)`);
    if (!isBlobCid(msg.programHash)) throw invalidMarket(`kind "${PROGRAM_TASK_KIND}" needs program_hash = the bundle's blob CID, ${BLOB_CID_FORM}`);
  } else if (runtime !== "") throw invalidMarket(`requirements.runtime applies to kind "${PROGRAM_TASK_KIND}" only`);
}
