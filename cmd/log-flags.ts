import { CliError, type Flags, type OptionSpec } from "./cli.js";
import { createLogger, DEFAULT_LOG_SETTINGS, isLogFormat, isLogLevel, LOG_FORMATS, LOG_LEVELS, type Logger, type LogSettings } from "../app/log.js";

/** `--log-level` and `--log-format` of every long-running command (ogpud start, ogpu-worker start|audit). */
export const logOptions: OptionSpec = {
  "log-level": { type: "string", description: `${LOG_LEVELS.join("|")} (default ${DEFAULT_LOG_SETTINGS.level})` },
  "log-format": { type: "string", description: `pretty (one line per entry) or json (pino's JSON lines, for log shippers) (default ${DEFAULT_LOG_SETTINGS.format})` },
};

/** The log flags given, over `fallback` (e.g. app.json's log_level/log_format). */
export function logSettings(flags: Flags, fallback: Partial<LogSettings> = {}): LogSettings {
  const level = flags["log-level"] ?? fallback.level ?? DEFAULT_LOG_SETTINGS.level;
  const format = flags["log-format"] ?? fallback.format ?? DEFAULT_LOG_SETTINGS.format;
  if (typeof level !== "string" || !isLogLevel(level)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got ${String(level)}`);
  if (typeof format !== "string" || !isLogFormat(format)) throw new CliError(`--log-format must be one of ${LOG_FORMATS.join(", ")}, got ${String(format)}`);
  return { level, format };
}

/** The process's logger from its flags. */
export function loggerFromFlags(name: string, flags: Flags, fallback: Partial<LogSettings> = {}): Logger {
  return createLogger(name, logSettings(flags, fallback));
}
