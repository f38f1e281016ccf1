/**
 * The one logger factory of every long-running process (ogpud, the worker, the auditor): pino,
 * as JSON lines (for log shippers) or pino-pretty's one-line text (for people, the default).
 * CLI commands' answers are not logs: they stay plain stdout.
 */
import { pino, stdTimeFunctions, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = { level: "info", format: "pretty" };

export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

export function isLogFormat(text: string): text is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(text);
}

/**
 * A logger named after its process (`ogpud`, `ogpu-worker`, `ogpu-auditor`); components take
 * `logger.child({ module: "abci" })`. Writes synchronously to `fd` (stdout by default): a
 * node that exits on a halt or crash must not lose the lines that say why.
 */
export function createLogger(name: string, settings: Partial<LogSettings> = {}, fd = 1): Logger {
  const { level, format } = { ...DEFAULT_LOG_SETTINGS, ...settings };
  const options = { name, level, timestamp: stdTimeFunctions.isoTime };
  if (format === "json") return pino(options, pino.destination({ dest: fd, sync: true }));
  // One line per entry, "module: message", other fields inline; pid/hostname only matter to log shippers (JSON).
  const stream = pretty({
    destination: fd,
    sync: true,
    singleLine: true,
    ignore: "pid,hostname,module",
    messageFormat: "{if module}{module}: {end}{msg}",
    translateTime: "SYS:standard",
  });
  return pino(options, stream);
}

/** A logger that drops everything (tests, library callers that pass none). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** What code that only reports needs of a logger (the app core, which must not depend on pino's setup). */
export type LogSink = Pick<Logger, "debug" | "info" | "warn" | "error">;
