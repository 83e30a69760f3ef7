/** Where the server writes its log lines (handler output included). */
export interface ModelServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes `LEVEL message` lines to stderr. */
export const stderrLogger: ModelServerLogger = {
  info: (message) => process.stderr.write(`INFO ${message}\n`),
  warn: (message) => process.stderr.write(`WARN ${message}\n`),
  error: (message) => process.stderr.write(`ERROR ${message}\n`),
};

/** Makes an untrusted string (a model name, a handler's line) safe for one log line. */
export function printable(value: string): string {
  return value.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
