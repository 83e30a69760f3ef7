import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { isServeError } from "@sagemaker-serve/errors";
import { describe, expect, it } from "vitest";
import { sampleValue } from "../../test/prometheus-text.ts";
import { startMetricsListener } from "./metrics-listener.ts";
import { createServerMetrics } from "./server-metrics.ts";

function metrics() {
  const m = createServerMetrics({ models: () => [], warn: () => undefined, processMetrics: false });
  m.requestFinished({
    model: "m",
    route: "invocations",
    status: 200,
    durationSeconds: 0.01,
    requestBytes: 1,
    responseBytes: 1,
  });
  return m;
}

describe("startMetricsListener", () => {
  it("serves GET /metrics in the Prometheus text format on its own port and address", async () => {
    const listener = await startMetricsListener({ port: 0, address: "127.0.0.1", metrics: metrics() });
    try {
      const base = `http://127.0.0.1:${listener.port}`;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await response.text();
      expect(
        sampleValue(text, "sagemaker_serve_requests_total", {
          model: "m",
          route: "invocations",
          status_class: "2xx",
        }),
      ).toBe(1);
      expect((await fetch(`${base}/metrics?name[]=x`)).status).toBe(200);
      const head = await fetch(`${base}/metrics`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
      expect((await fetch(`${base}/invocations`, { method: "POST" })).status).toBe(404);
      expect((await fetch(`${base}/ping`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it("fails with MODEL_SERVER_LISTEN_FAILED when the port is taken", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const error = await startMetricsListener({ port, address: "127.0.0.1", metrics: metrics() }).catch(
        (e: unknown) => e,
      );
      expect(isServeError(error) && error.code).toBe("MODEL_SERVER_LISTEN_FAILED");
      expect((error as Error).message).toBe(`Cannot listen for metrics on 127.0.0.1:${port}: EADDRINUSE`);
      expect((error as { hint?: string }).hint).toContain("SAGEMAKER_SERVE_METRICS_PORT");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
