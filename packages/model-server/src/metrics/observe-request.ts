import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import type { AccessLog } from "./access-log.ts";
import type { ServerMetrics } from "./server-metrics.ts";

/** What the server records per request: Prometheus metrics and the access log, each possibly off. */
export interface RequestTelemetry {
  metrics: ServerMetrics;
  accessLog: AccessLog;
}

/** Status recorded for a request whose client went away before the response was complete (nginx's choice). */
export const CLIENT_CLOSED_STATUS = 499;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The fixed route name and the model a request addressed, for labels: the model only when `isModel` knows it, so
 * a client cannot create series by naming models that do not exist.
 */
export function classifyRequest(
  target: string,
  defaultModel: string,
  isModel: (name: string) => boolean,
): { route: string; model: string } {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  const segments = path.split("/").filter((segment) => segment !== "");
  const known = (name: string | undefined) => (name !== undefined && isModel(name) ? name : "");
  const [first, second, third] = segments;
  if (segments.length === 1) {
    if (first === "ping" || first === "execution-parameters" || first === "models" || first === "metrics")
      return { route: first, model: "" };
    if (first === "invocations") {
      const named = query === -1 ? null : new URLSearchParams(target.slice(query + 1)).get("model_name");
      return { route: "invocations", model: known(named ?? defaultModel) };
    }
  }
  if (segments.length === 2 && first === "predictions")
    return { route: "predictions", model: known(decode(second!)) };
  if (segments.length === 2 && second === "predict" && first !== "models")
    return { route: "predict", model: known(decode(first!)) };
  if (first === "models" && segments.length === 3 && third === "invoke")
    return { route: "invoke", model: known(decode(second!)) };
  if (first === "models" && segments.length === 2) return { route: "model", model: known(decode(second!)) };
  return { route: "other", model: "" };
}

export interface ObserveRequestOptions {
  /** The single model's name (for `/invocations` without `model_name`). */
  defaultModel: string;
  isModel: (name: string) => boolean;
}

/**
 * The server's response class while telemetry is on (`createServer({ ServerResponse: ObservedResponse })`): it keeps
 * the headers given to `writeHead(status, headers)`, which `getHeader` does not see, in a declared field (no
 * per-request wrapper, no change of the response objects' shape).
 */
export class ObservedResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  writtenHeaders: OutgoingHttpHeaders | undefined = undefined;

  override writeHead(...args: unknown[]): this {
    const last = args[args.length - 1];
    if (typeof last === "object" && last !== null && !Array.isArray(last))
      this.writtenHeaders = last as OutgoingHttpHeaders;
    return (super.writeHead as (...a: unknown[]) => this)(...args);
  }
}

function header(res: ServerResponse, name: string): unknown {
  return res.getHeader(name) ?? (res as Partial<ObservedResponse>).writtenHeaders?.[name];
}

/**
 * Starts observing one request; call the function returned when its response closes, to record `requestFinished`
 * metrics and an access-log line. Undefined (nothing to do) when both are off. The request id is read from the
 * response's `x-request-id`, the bytes from the `content-length` headers (set with `setHeader`, or passed to
 * `writeHead` on an `ObservedResponse`).
 */
export function observeRequest(
  telemetry: RequestTelemetry,
  req: IncomingMessage,
  res: ServerResponse,
  { defaultModel, isModel }: ObserveRequestOptions,
): (() => void) | undefined {
  const { metrics, accessLog } = telemetry;
  if (!metrics.enabled && !accessLog.enabled) return undefined;
  const start = performance.now();
  return () => {
    const durationMs = performance.now() - start;
    const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
    const requestBytes = Number(req.headers["content-length"] ?? 0) || 0;
    const responseBytes =
      status === CLIENT_CLOSED_STATUS ? 0 : Number(header(res, "content-length") ?? 0) || 0;
    const target = req.url ?? "/";
    if (metrics.enabled) {
      const { route, model } = classifyRequest(target, defaultModel, isModel);
      metrics.requestFinished({
        model,
        route,
        status,
        durationSeconds: durationMs / 1000,
        requestBytes,
        responseBytes,
      });
    }
    if (accessLog.enabled) {
      accessLog.log({
        client: req.socket.remoteAddress ?? "-",
        method: req.method ?? "-",
        path: target,
        protocol: `HTTP/${req.httpVersion}`,
        status,
        durationMs,
        requestBytes,
        responseBytes,
        requestId: String(header(res, "x-request-id") ?? "-"),
      });
    }
  };
}
