import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** How to decide that the server is ready. */
export interface ReadinessCheck {
  /** URL to `GET`, for example `http://127.0.0.1:8080/ping`. */
  url: string;
  /** The backend's meaning of healthy (MMS answers 200 with `"Unhealthy"` in the body: not ready). */
  isHealthy: (status: number, body: string) => boolean;
  /** Pause between probes. Default 100 ms. */
  intervalMs?: number;
  /** Client timeout of one probe. Default 2000 ms. */
  timeoutMs?: number;
}

/** The outcome of one probe. */
export type ProbeResult = { ok: boolean; status: number; body: string } | { ok: false; error: string };

const MAX_BODY_BYTES = 64 * 1024;

/**
 * One readiness probe: `GET url` with a client timeout; never throws. A body longer than 64 KiB is cut.
 * The connection is not kept alive, so a probe leaves no socket behind.
 */
export function probeReadiness(
  check: ReadinessCheck,
  { timeoutMs = check.timeoutMs ?? 2000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  return new Promise((settle) => {
    let settled = false;
    const resolve = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      settle(result);
    };
    let url: URL;
    try {
      url = new URL(check.url);
    } catch {
      resolve({ ok: false, error: "invalid URL" });
      return;
    }
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
    const req = request(url, {
      method: "GET",
      agent: false,
      headers: { connection: "close" },
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    });
    req.once("error", (error: NodeJS.ErrnoException) => {
      resolve({
        ok: false,
        error: timeout.aborted ? `no answer within ${timeoutMs} ms` : (error.code ?? error.message),
      });
    });
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.once("error", (error: NodeJS.ErrnoException) => {
        resolve({
          ok: false,
          error: timeout.aborted ? `no answer within ${timeoutMs} ms` : (error.code ?? error.message),
        });
      });
      res.once("end", () => {
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
        let healthy: boolean;
        try {
          healthy = check.isHealthy(status, body) === true;
        } catch {
          // A health predicate that throws on an odd body means "not healthy yet".
          healthy = false;
        }
        resolve({ ok: healthy, status, body });
      });
    });
    req.end();
  });
}

/** A short description of a probe result for an error message. */
export function describeProbe(result: ProbeResult | undefined): string {
  if (result === undefined) return "no probe completed";
  if ("error" in result) return `last probe failed: ${result.error}`;
  const body = result.body.replace(/\s+/g, " ").trim();
  return `last probe answered ${result.status} ${JSON.stringify(body.length > 120 ? `${body.slice(0, 120)}…` : body)}`;
}
