import type { ServerResponse } from "node:http";
import type { PredictResult } from "./worker-reply.ts";

/** The no-cache headers MMS puts on every response. */
export const NO_CACHE = {
  "cache-control": "no-cache; no-store, must-revalidate, private",
  expires: "Thu, 01 Jan 1970 00:00:00 UTC",
  pragma: "no-cache",
};

/** MMS's error body: `{"code","type","message"}`. */
export interface ErrorBody {
  code: number;
  type: string;
  message: string;
}

/** An HTTP failure with MMS's exception type name. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.type = type;
  }
}

/** Pretty-printed JSON (2-space indent) with MMS's no-cache headers; connections close after errors. */
export function sendJson(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": requestId,
    ...NO_CACHE,
    ...(status >= 400 ? { connection: "close" } : {}),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, requestId: string, error: HttpError | ErrorBody): void {
  const body: ErrorBody =
    error instanceof HttpError ? { code: error.status, type: error.type, message: error.message } : error;
  sendJson(res, requestId, body.code, body);
}

/** Responses up to this size are joined and sent with one `end`. */
const SINGLE_WRITE_BYTES = 64 * 1024;

/** The handler's answer: its status, phrase, headers and content type, then MMS's own headers over them. */
export function sendResult(res: ServerResponse, requestId: string, result: PredictResult): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = result.status;
  if (result.phrase !== "") res.statusMessage = result.phrase;
  for (const [key, value] of result.headers) res.setHeader(key, value);
  if (result.contentType) res.setHeader("content-type", result.contentType);
  // MMS sets these on every response, overriding the handler's.
  for (const [key, value] of Object.entries(NO_CACHE)) res.setHeader(key, value);
  res.setHeader("content-length", result.bodyBytes);
  res.setHeader("x-request-id", requestId);
  if (result.status >= 400) res.setHeader("connection", "close");
  if (result.body.length <= 1 || result.bodyBytes <= SINGLE_WRITE_BYTES) {
    res.end(result.body.length === 1 ? result.body[0] : Buffer.concat(result.body, result.bodyBytes));
    return;
  }
  // The worker's chunks go out as they came, corked into one vectored write.
  res.cork();
  for (const chunk of result.body) res.write(chunk);
  res.end();
  res.uncork();
}
