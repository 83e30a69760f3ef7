import { validateHeaderName, validateHeaderValue } from "node:http";
import { FrameError, type Frame } from "./frame.ts";

/** One request's answer from the handler, checked: every field can go into an HTTP response as it is. */
export interface PredictResult {
  kind: "result";
  /** The body as the chunks it arrived in from the worker (views, not copies). */
  body: Buffer[];
  bodyBytes: number;
  contentType: string | null;
  status: number;
  phrase: string;
  headers: Array<[string, string]>;
}

/** The handler set something that cannot be sent (the worker or this side found it); the request gets 500. */
export interface InvalidResult {
  kind: "invalid";
  reason: string;
}

/** The worker's answer for a batch: `results` when `code` is 200, otherwise the batch failed with `code`. */
export interface PredictReply {
  code: number;
  message: string;
  results?: Array<PredictResult | InvalidResult>;
  /** The handler's `context.metrics` records for the batch, unchecked (ServerMetrics.handlerMetrics checks them). */
  metrics?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function headerProblem(name: string, value: string): string | undefined {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return undefined;
  } catch {
    return `response header ${JSON.stringify(name.slice(0, 80))} has a name or value HTTP cannot carry`;
  }
}

function checkResult(raw: unknown, body: Buffer[]): PredictResult | InvalidResult {
  if (!isRecord(raw)) throw new FrameError("a result is not an object");
  if (typeof raw.error === "string") return { kind: "invalid", reason: raw.error };
  const { status, phrase, contentType, headers } = raw;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 999)
    return { kind: "invalid", reason: `response status ${String(status)} is not an HTTP status` };
  if (typeof phrase !== "string") return { kind: "invalid", reason: "response phrase is not a string" };
  if (contentType !== null && typeof contentType !== "string")
    return { kind: "invalid", reason: "response content type is not a string" };
  if (typeof contentType === "string") {
    const problem = headerProblem("content-type", contentType);
    if (problem !== undefined) return { kind: "invalid", reason: problem };
  }
  if (!Array.isArray(headers)) return { kind: "invalid", reason: "response headers are not a list" };
  const checked: Array<[string, string]> = [];
  for (const pair of headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string")
      return { kind: "invalid", reason: "a response header is not a pair of strings" };
    const problem = headerProblem(pair[0], pair[1]);
    if (problem !== undefined) return { kind: "invalid", reason: problem };
    checked.push([pair[0], pair[1]]);
  }
  return {
    kind: "result",
    body,
    bodyBytes: body.reduce((sum, chunk) => sum + chunk.length, 0),
    contentType,
    status,
    // Netty refuses CR/LF in a reason phrase; so does node. Replace them rather than fail the response.
    phrase: phrase.replace(/[\r\n]/g, " "),
    headers: checked,
  };
}

/** Reads a predict reply frame; throws FrameError when its shape is not the protocol's. */
export function readPredictReply(frame: Frame): PredictReply {
  const { code, message, results, metrics } = frame.header;
  if (typeof code !== "number" || !Number.isInteger(code) || typeof message !== "string")
    throw new FrameError("a predict reply lacks its code or message");
  const extra = metrics === undefined ? {} : { metrics };
  if (results === undefined || results === null) return { code, message, ...extra };
  if (!Array.isArray(results) || results.length !== frame.parts.length)
    throw new FrameError("a predict reply's results do not match its parts");
  return {
    code,
    message,
    results: results.map((raw, index) => checkResult(raw, frame.parts[index]!)),
    ...extra,
  };
}
