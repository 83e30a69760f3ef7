import { redact } from "@sagemaker-serve/errors";

export type LogFormat = "text" | "json";
export type LogLevel = "info" | "warn" | "error";

/** One line per event; `phase` lines carry the phase name and its duration. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Logs `<message> (N ms)` (text; default message `<phase> done`) or `{"msg","phase","durationMs"}` (json). */
  phase(phase: string, durationMs: number, message?: string, fields?: Record<string, unknown>): void;
  /** Same logger with a different format (decided once the environment is parsed). */
  withFormat(format: LogFormat): Logger;
}

export interface LoggerOptions {
  write: (text: string) => void;
  format: LogFormat;
  now?: () => Date;
}

/**
 * Text lines look like `2026-01-01T00:00:00.000Z sagemaker-serve INFO message key=value`; JSON lines hold
 * `time`, `level`, `logger`, `msg` and the fields. Everything is redacted before it is written.
 */
export function createLogger({ write, format, now = () => new Date() }: LoggerOptions): Logger {
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    const time = now().toISOString();
    if (format === "json") {
      write(redact(JSON.stringify({ time, level, logger: "sagemaker-serve", msg, ...fields })) + "\n");
      return;
    }
    const extra = Object.entries(fields)
      .filter(([key]) => key !== "phase" && key !== "durationMs")
      .map(([key, value]) => ` ${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join("");
    write(redact(`${time} sagemaker-serve ${level.toUpperCase()} ${msg}${extra}`) + "\n");
  };
  return {
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    phase: (phase, durationMs, message, fields = {}) => {
      const ms = Math.round(durationMs);
      emit("info", `${message ?? `${phase} done`} (${ms} ms)`, { phase, durationMs: ms, ...fields });
    },
    withFormat: (next) => createLogger({ write, format: next, now }),
  };
}
