import { printable } from "../logger.ts";

/** One answered request, as the access log records it. */
export interface AccessLogEntry {
  /** The client's address (the socket's remote address). */
  client: string;
  method: string;
  /** The request target as received (path and query). */
  path: string;
  /** `HTTP/1.1` style. */
  protocol: string;
  status: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  requestId: string;
}

export interface AccessLog {
  readonly enabled: boolean;
  log(entry: AccessLogEntry): void;
  /** Writes buffered lines now (the log also flushes on its own: after 50 ms, or at 64 KiB). */
  flush(): void;
}

/** Access log off. */
export const NO_ACCESS_LOG: AccessLog = { enabled: false, log: () => undefined, flush: () => undefined };

const NEEDS_ESCAPE = /[\p{Cc}"]/u;

/** Keeps a request target on one line and inside its quotes (checked first: almost every value is clean). */
function quotable(value: string): string {
  return NEEDS_ESCAPE.test(value) ? printable(value).replaceAll('"', "%22") : value;
}

/**
 * One access-log line. `text` is MMS's ACCESS_LOG message (`client "METHOD path PROTOCOL" status ms`, whole
 * milliseconds) followed by the response bytes and the request id, after our `INFO ACCESS_LOG` prefix; `json` is one
 * object with the same fields (duration with microsecond precision).
 */
export function formatAccessLine(entry: AccessLogEntry, format: "text" | "json", time: () => Date): string {
  if (format === "json") {
    return `${JSON.stringify({
      time: time().toISOString(),
      level: "info",
      logger: "access-log",
      client: entry.client,
      method: entry.method,
      path: entry.path,
      protocol: entry.protocol,
      status: entry.status,
      durationMs: Math.round(entry.durationMs * 1000) / 1000,
      requestBytes: entry.requestBytes,
      responseBytes: entry.responseBytes,
      requestId: entry.requestId,
    })}\n`;
  }
  return `INFO ACCESS_LOG ${quotable(entry.client)} "${quotable(entry.method)} ${quotable(entry.path)} ${quotable(entry.protocol)}" ${entry.status} ${Math.floor(entry.durationMs)} ${entry.responseBytes} ${entry.requestId}\n`;
}

export interface CreateAccessLogOptions {
  format: "text" | "json";
  /** Log one `/ping` line in this many; 0 = none (health checks would drown the log). */
  pingSample: number;
  /** Where lines go, several per call (the server passes stderr's write). */
  write: (chunk: string) => void;
  now?: () => Date;
}

function isPing(path: string): boolean {
  return path === "/ping" || path.startsWith("/ping?");
}

/** Lines wait at most this long for a write... */
export const ACCESS_LOG_FLUSH_MS = 50;
/** ...or until this many characters are buffered. */
export const ACCESS_LOG_FLUSH_CHARS = 64 * 1024;

/**
 * An access log that buffers lines for up to 50 ms (or 64 KiB) and writes them in one call: on a busy server one
 * write serves many requests (stderr is written synchronously, and every write is a system call). The server
 * flushes it when it closes; a process killed outright loses at most the last 50 ms of lines.
 */
export function createAccessLog({
  format,
  pingSample,
  write,
  now = () => new Date(),
}: CreateAccessLogOptions): AccessLog {
  let buffer = "";
  let timer: NodeJS.Timeout | undefined;
  let pings = 0;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer === "") return;
    const chunk = buffer;
    buffer = "";
    write(chunk);
  };
  return {
    enabled: true,
    log(entry) {
      if (isPing(entry.path)) {
        if (pingSample === 0 || pings++ % pingSample !== 0) return;
      }
      buffer += formatAccessLine(entry, format, now);
      if (buffer.length >= ACCESS_LOG_FLUSH_CHARS) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, ACCESS_LOG_FLUSH_MS);
        timer.unref();
      }
    },
    flush,
  };
}
