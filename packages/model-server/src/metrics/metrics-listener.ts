import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { modelServerError } from "../errors.ts";
import type { ServerMetrics } from "./server-metrics.ts";

/** True for `GET`/`HEAD /metrics` (any query), the one route of the metrics listener. */
export function isMetricsRequest(req: IncomingMessage): boolean {
  const url = req.url ?? "/";
  return url === "/metrics" || url.startsWith("/metrics?");
}

/** Answers a request for `/metrics` with the Prometheus text exposition (405 for other methods). */
export async function serveMetrics(
  metrics: ServerMetrics,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Method Not Allowed\n");
    return;
  }
  let text: string;
  try {
    text = await metrics.render();
  } catch (error) {
    res
      .writeHead(500, { "content-type": "text/plain" })
      .end(`Cannot collect metrics: ${(error as Error).message}\n`);
    return;
  }
  res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(text) });
  res.end(req.method === "HEAD" ? undefined : text);
}

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `address:port` (port 0 picks one) and answers `GET /metrics`; every other path is 404. Throws
 * `MODEL_SERVER_LISTEN_FAILED` when the port cannot be bound.
 */
export async function startMetricsListener({
  port,
  address,
  metrics,
}: {
  port: number;
  address: string;
  metrics: ServerMetrics;
}): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if (isMetricsRequest(req)) void serveMetrics(metrics, req, res);
    else
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("Not Found: the metrics listener serves /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        modelServerError(
          "MODEL_SERVER_LISTEN_FAILED",
          `Cannot listen for metrics on ${address}:${port}: ${error.code ?? error.message}`,
          error.code === "EADDRINUSE"
            ? "Another process holds the port; stop it or set SAGEMAKER_SERVE_METRICS_PORT to a free port."
            : "Check SAGEMAKER_SERVE_METRICS_PORT and SAGEMAKER_SERVE_METRICS_ADDRESS.",
          error,
        ),
      ),
    );
    server.listen(port, address, () => resolve());
  });
  server.removeAllListeners("error");
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
