import type { IncomingMessage } from "node:http";
import type { BodyBudget } from "./body-budget.ts";
import { HttpError } from "./http-response.ts";
import { idleWatchFor } from "./idle-watch.ts";

export interface ReadBodyOptions {
  /** Largest body accepted (413 past it). */
  limitBytes: number;
  /** A body that sends nothing for this long is cut (408). */
  idleTimeoutMs: number;
  /** Bytes of bodies held at once across the server (503 past it). */
  budget: BodyBudget;
}

/** A request body in memory as the chunks it arrived in (never copied), counted against the budget until `release()`. */
export interface HeldBody {
  chunks: Buffer[];
  bytes: number;
  release(): void;
}

/** The chunks as one buffer, for the parsers that need one (forms, JSON); a single chunk is not copied. */
export function joinChunks(chunks: readonly Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    "RequestEntityTooLargeException",
    `Request body exceeds the maximum of ${limit} bytes.`,
  );
}

export function overBudget(): HttpError {
  return new HttpError(
    503,
    "ServiceUnavailableException",
    "Too many request bytes are buffered at once; retry later or raise SAGEMAKER_SERVE_MAX_BUFFERED_MB.",
  );
}

/** The declared Content-Length, undefined for a chunked body; 400 when it is not a number. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, "BadRequestException", "Invalid Content-Length.");
  return Number(raw);
}

/**
 * Reads a request body in linear time and bounded memory, keeping the parser's chunks as they are (no copy). With a
 * Content-Length its bytes are taken from the budget before the first byte is read; a chunked body takes from the
 * budget as it grows. Refusals: 413 past `limitBytes`, 503 past the budget, 408 when the client stalls.
 */
export function readRequestBody(
  req: IncomingMessage,
  { limitBytes, idleTimeoutMs, budget }: ReadBodyOptions,
): Promise<HeldBody> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  if (declared !== undefined && !budget.tryTake(declared)) return Promise.reject(overBudget());
  let taken = declared ?? 0;
  const release = () => {
    budget.give(taken);
    taken = 0;
  };
  if (declared === 0) return Promise.resolve({ chunks: [], bytes: 0, release });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const idle = idleWatchFor(idleTimeoutMs).watch(() =>
      fail(new HttpError(408, "RequestTimeoutException", `Request body stalled for ${idleTimeoutMs} ms.`)),
    );
    const cleanup = () => {
      idle.stop();
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const fail = (error: unknown) => {
      cleanup();
      release();
      chunks.length = 0;
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      idle.touch();
      if (size + chunk.length > (declared ?? limitBytes)) {
        fail(
          declared === undefined
            ? tooLarge(limitBytes)
            : new HttpError(400, "BadRequestException", "Request body is longer than its Content-Length."),
        );
        return;
      }
      if (declared === undefined) {
        if (!budget.tryTake(chunk.length)) {
          fail(overBudget());
          return;
        }
        taken += chunk.length;
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (declared !== undefined && size !== declared) {
        release();
        reject(new HttpError(400, "BadRequestException", "Request body is shorter than its Content-Length."));
        return;
      }
      resolve({ chunks, bytes: size, release });
    };
    const onError = (error: Error) => fail(error);
    // The client went away before the body ended: nothing to answer, the bytes are given back.
    const onClose = () => {
      if (!req.complete)
        fail(new HttpError(400, "BadRequestException", "Client closed the connection mid-body."));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
