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
  /** Writes buffered lines now (the log also flushes on its own once per event-loop turn). */
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
      component: "access-log",
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

/**
 * An access log that buffers the lines of one event-loop turn and writes them in one call, so a busy server makes
 * one write per turn rather than one per request.
 */
export function createAccessLog({
  format,
  pingSample,
  write,
  now = () => new Date(),
}: CreateAccessLogOptions): AccessLog {
  let buffer = "";
  let scheduled = false;
  let pings = 0;
  const flush = () => {
    scheduled = false;
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
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
