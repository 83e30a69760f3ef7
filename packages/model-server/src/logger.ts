import { redact } from "@sagemaker-serve/errors";

/** Where the server writes its log lines (handler output included). */
export interface ModelServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * A logger writing to stderr: `LEVEL message` lines (`text`) or one JSON object per line (`json`), with registered
 * secrets and URL credentials redacted (handler output included).
 */
export function stderrLogger(format: "text" | "json"): ModelServerLogger {
  const write = (level: string, raw: string) => {
    const message = redact(raw);
    process.stderr.write(
      format === "json"
        ? `${JSON.stringify({ time: new Date().toISOString(), level, component: "model-server", message })}\n`
        : `${level.toUpperCase()} ${message}\n`,
    );
  };
  return {
    info: (message) => write("info", message),
    warn: (message) => write("warn", message),
    error: (message) => write("error", message),
  };
}

/** Makes an untrusted string (a model name, a handler's line) safe for one log line. */
export function printable(value: string): string {
  return value.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
