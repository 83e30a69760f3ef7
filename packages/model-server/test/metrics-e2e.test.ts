import { freePort, waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { serve, workerPids } from "./helpers.ts";
import { promtoolCheck, sampleValue } from "./prometheus-text.ts";
import { startPrometheus } from "./prometheus-server.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe("metrics, handler metrics and access log of a real server", () => {
  it("move by exactly the requests sent, as Prometheus reads them back", async () => {
    let accessLog = "";
    const { server, log, url } = await serve(
      {
        handlerService: "metrics_handler",
        requestTimeoutMs: 2000,
        metricsPort: 0,
        accessLog: true,
        handlerMetricsMaxSeries: 3,
      },
      {},
      { accessLogWrite: (chunk) => void (accessLog += chunk) },
    );
    expect(server.metricsPort).toBeGreaterThan(0);
    expect(server.metricsPort).not.toBe(server.port);
    const prometheus = await startPrometheus([`127.0.0.1:${server.metricsPort}`]);

    const invoke = async (body: string) =>
      (await fetch(url("/invocations"), { method: "POST", body })).status;
    const healthy = () =>
      waitFor(async () => (await fetch(url("/ping"))).status === 200, { description: "worker back" });
    const statuses: number[] = [];
    for (const body of ["ok", "ok", "ok", "bad", "bad", "fail", "crash"]) statuses.push(await invoke(body));
    await healthy();
    statuses.push(await invoke("sleep"));
    await healthy();
    for (const variant of ["a", "b", "c", "d", "e"]) statuses.push(await invoke(`v:${variant}`));
    expect(statuses).toEqual([200, 200, 200, 400, 400, 503, 500, 500, 200, 200, 200, 200, 200]);
    expect((await fetch(url("/models"))).status).toBe(200);
    expect((await fetch(url("/predictions/nope"), { method: "POST", body: "x" })).status).toBe(404);

    const m = 'job="sagemaker-serve",model="model"';
    const inv = `${m},route="invocations"`;
    await prometheus.waitForValue(
      'sagemaker_serve_requests_total{model="",route="predictions",status_class="4xx"}',
      1,
    );
    const q = (expression: string) => prometheus.query(expression);
    expect(await q(`sagemaker_serve_requests_total{${inv},status_class="2xx"}`)).toBe(8);
    expect(await q(`sagemaker_serve_requests_total{${inv},status_class="4xx"}`)).toBe(2);
    expect(await q(`sagemaker_serve_requests_total{${inv},status_class="5xx"}`)).toBe(3);
    expect(await q(`sagemaker_serve_request_latency_seconds_count{${inv}}`)).toBe(13);
    expect(await q(`sagemaker_serve_request_bytes_total{${inv}}`)).toBe(3 * 2 + 2 * 3 + 4 + 5 + 5 + 5 * 3);
    expect(await q(`sagemaker_serve_requests_total{model="",route="models",status_class="2xx"}`)).toBe(1);
    expect(await q(`sagemaker_serve_queue_latency_seconds_count{${m}}`)).toBe(13);
    expect(await q(`sagemaker_serve_inference_latency_seconds_count{${m}}`)).toBe(11);
    expect(await q(`sagemaker_serve_worker_restarts_total{${m},cause="crash"}`)).toBe(1);
    expect(await q(`sagemaker_serve_worker_restarts_total{${m},cause="timeout"}`)).toBe(1);
    expect(await q(`sagemaker_serve_worker_restarts_total{${m},cause="oom"}`)).toBe(0);
    expect(await q(`sagemaker_serve_model_load_seconds_count{${m}}`)).toBe(3);
    expect(await q(`sagemaker_serve_workers{${m},state="idle"}`)).toBe(1);
    expect(await q(`sagemaker_serve_requests_in_flight{${m}}`)).toBe(0);
    expect(await q(`sagemaker_serve_worker_resident_memory_bytes{${m}}`)).toBeGreaterThan(1024 * 1024);
    // Handler metrics, with their dimensions as labels.
    expect(await q(`sagemaker_serve_handler_hits_total{${m},Kind="ok"}`)).toBe(3);
    expect(await q(`sagemaker_serve_handler_handler_time_seconds_count{${m}}`)).toBe(3);
    expect(await q(`sagemaker_serve_handler_handler_time_seconds_sum{${m}}`)).toBeCloseTo(0.015, 10);
    expect(await q(`sagemaker_serve_handler_payload_size_bytes{${m}}`)).toBe(2048);
    expect(await q(`sagemaker_serve_handler_failure_errors_total{${m}}`)).toBe(1);
    // The cap: three label sets kept, two dropped and counted.
    expect(await q(`count(sagemaker_serve_handler_per_variant_total{${m}})`)).toBe(3);
    expect(await q(`sagemaker_serve_handler_per_variant_total{${m},Variant="c"}`)).toBe(1);
    expect(await q(`sagemaker_serve_handler_per_variant_total{${m},Variant="d"}`)).toBeUndefined();
    expect(await q(`sagemaker_serve_handler_metrics_dropped_total{${m},reason="series_limit"}`)).toBe(2);
    expect(log.lines.filter((line) => line.includes("reached 3 label sets"))).toHaveLength(1);
    // The worker still logs MMS's [METRICS] lines.
    expect(
      log.lines.some((line) =>
        /\[METRICS\]Hits\.Count:1\|#Kind:ok,ModelName:model,Level:Model\|#hostname:/.test(line),
      ),
    ).toBe(true);

    const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: "" });
    expect(
      sampleValue(text, "sagemaker_serve_requests_total", {
        model: "model",
        route: "invocations",
        status_class: "2xx",
      }),
    ).toBe(8);
    // /metrics is not on the inference port.
    expect((await fetch(url("/metrics"))).status).toBe(404);

    // One access-log line per request; /ping (the health waits) left out.
    await server.close(2000);
    const lines = accessLog.trim().split("\n");
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(
      new RegExp(`^INFO ACCESS_LOG 127\\.0\\.0\\.1 "POST /invocations HTTP/1\\.1" 200 \\d+ 2 ${UUID}$`),
    );
    expect(lines[3]).toMatch(/ "POST \/invocations HTTP\/1\.1" 400 \d+ 3 /);
    expect(lines.filter((line) => / 500 \d+ /.test(line))).toHaveLength(2);
    expect(lines.at(-2)).toMatch(/ "POST \/predictions\/nope HTTP\/1\.1" 404 /);
    expect(lines.at(-1)).toMatch(/ "GET \/metrics HTTP\/1\.1" 404 /);
    expect(accessLog).not.toContain("/ping");
  });

  it("serves /metrics on the inference port when the ports are equal (OOM-killed worker counted), and nothing when metrics are off", async () => {
    const port = await freePort();
    const shared = await serve({ handlerService: "metrics_handler", port, metricsPort: port });
    expect(shared.server.metricsPort).toBeUndefined();
    expect((await fetch(shared.url("/invocations"), { method: "POST", body: "ok" })).status).toBe(200);
    const text = await (await fetch(shared.url("/metrics"))).text();
    expect(
      sampleValue(text, "sagemaker_serve_requests_total", {
        model: "model",
        route: "invocations",
        status_class: "2xx",
      }),
    ).toBe(1);
    // Scrapes are not requests of the API.
    expect(text).not.toContain('route="metrics"');
    // A SIGKILL the server did not send counts as the OOM killer's.
    process.kill(workerPids(shared.log)[0]!, "SIGKILL");
    await waitFor(
      async () =>
        sampleValue(
          await (await fetch(shared.url("/metrics"))).text(),
          "sagemaker_serve_worker_restarts_total",
          {
            model: "model",
            cause: "oom",
          },
        ) === 1,
    );
    const off = await serve({ handlerService: "metrics_handler" });
    expect((await fetch(off.url("/metrics"))).status).toBe(404);
    expect(off.server.metricsPort).toBeUndefined();
  });
});
