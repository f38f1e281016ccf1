/**
 * The program manifest contract as the worker side imports it. The parser itself lives in
 * sdk/program-manifest.ts because clients validate a manifest before they upload it, and sdk/
 * must not import worker/ (no folder cycles).
 */
export {
  DEFAULT_RESOURCES,
  MANIFEST_FILE,
  MANIFEST_LIMITS,
  ManifestError,
  OUTPUT_FORMATS,
  RUNTIMES,
  parseProgramManifest,
  toleranceToPpt,
  type OutputFormat,
  type ProgramManifest,
  type ProgramOutput,
  type ProgramResources,
  type ProgramVerification,
  type Runtime,
} from "../../sdk/program-manifest.js";
