import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { sampleValue } from "../../test/prometheus-text.ts";
import { createAccessLog, NO_ACCESS_LOG } from "./access-log.ts";
import {
  classifyRequest,
  ObservedResponse,
  observeRequest,
  type RequestTelemetry,
} from "./observe-request.ts";
import { createServerMetrics, NO_METRICS } from "./server-metrics.ts";

const isModel = (name: string) => name === "model" || name === "a b";

describe("classifyRequest", () => {
  it("names the route and the model, only for models that exist", () => {
    expect(classifyRequest("/ping", "model", isModel)).toEqual({ route: "ping", model: "" });
    expect(classifyRequest("/invocations", "model", isModel)).toEqual({
      route: "invocations",
      model: "model",
    });
    expect(classifyRequest("/invocations?model_name=a%20b", "model", isModel)).toEqual({
      route: "invocations",
      model: "a b",
    });
    expect(classifyRequest("/invocations?model_name=nope", "model", isModel)).toEqual({
      route: "invocations",
      model: "",
    });
    expect(classifyRequest("/predictions/a%20b", "model", isModel)).toEqual({
      route: "predictions",
      model: "a b",
    });
    expect(classifyRequest("/predictions/%zz", "model", isModel)).toEqual({
      route: "predictions",
      model: "",
    });
    expect(classifyRequest("/model/predict", "model", isModel)).toEqual({ route: "predict", model: "model" });
    expect(classifyRequest("/models/model/invoke", "model", isModel)).toEqual({
      route: "invoke",
      model: "model",
    });
    expect(classifyRequest("/models/model", "model", isModel)).toEqual({ route: "model", model: "model" });
    expect(classifyRequest("/models?limit=2", "model", isModel)).toEqual({ route: "models", model: "" });
    expect(classifyRequest("/random/deep/path", "model", isModel)).toEqual({ route: "other", model: "" });
  });
});

async function serve(telemetry: RequestTelemetry) {
  const server = createServer({ ServerResponse: ObservedResponse }, (req, res) => {
    const done = observeRequest(telemetry, req, res, { defaultModel: "model", isModel });
    res.once("close", () => done?.());
    req.resume();
    req.on("end", () => {
      if (req.url === "/hang") return;
      const body = req.url === "/ping" ? "{}" : "hello";
      if (req.url === "/missing") {
        // Headers given to writeHead only (as sendJson does) are found too.
        res.writeHead(404, { "content-length": Buffer.byteLength(body), "x-request-id": "rid-1" });
      } else {
        res.setHeader("content-length", Buffer.byteLength(body));
        res.setHeader("x-request-id", "rid-1");
      }
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("observeRequest", () => {
  it("records each request once: metrics by route and status class, and an access-log line", async () => {
    const metrics = createServerMetrics({ models: () => [], warn: () => undefined, processMetrics: false });
    let log = "";
    const accessLog = createAccessLog({ format: "text", pingSample: 0, write: (chunk) => (log += chunk) });
    const base = await serve({ metrics, accessLog });
    for (const [path, method] of [
      ["/invocations", "POST"],
      ["/invocations", "POST"],
      ["/missing", "GET"],
      ["/ping", "GET"],
    ] as const) {
      await (await fetch(`${base}${path}`, method === "POST" ? { method, body: "abc" } : {})).text();
    }
    accessLog.flush();
    const text = await metrics.render();
    const invocations = { model: "model", route: "invocations" };
    await waitFor(async () =>
      sampleValue(await metrics.render(), "sagemaker_serve_requests_total", {
        model: "",
        route: "ping",
        status_class: "2xx",
      }),
    );
    expect(sampleValue(text, "sagemaker_serve_requests_total", { ...invocations, status_class: "2xx" })).toBe(
      2,
    );
    expect(sampleValue(text, "sagemaker_serve_request_bytes_total", invocations)).toBe(6);
    expect(sampleValue(text, "sagemaker_serve_response_bytes_total", invocations)).toBe(10);
    expect(
      sampleValue(text, "sagemaker_serve_requests_total", { model: "", route: "other", status_class: "4xx" }),
    ).toBe(1);
    const lines = log.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^INFO ACCESS_LOG 127\.0\.0\.1 "POST \/invocations HTTP\/1\.1" 200 \d+ 5 rid-1$/,
    );
    expect(lines[2]).toMatch(/^INFO ACCESS_LOG 127\.0\.0\.1 "GET \/missing HTTP\/1\.1" 404 \d+ 5 rid-1$/);
  });

  it("records a request whose client went away as 499", async () => {
    const metrics = createServerMetrics({ models: () => [], warn: () => undefined, processMetrics: false });
    const lines: string[] = [];
    const accessLog = createAccessLog({ format: "json", pingSample: 0, write: (chunk) => lines.push(chunk) });
    const base = await serve({ metrics, accessLog });
    const req = request(`${base}/hang`);
    req.on("error", () => undefined);
    req.end();
    await new Promise((resolve) => req.once("socket", (socket) => socket.once("connect", resolve)));
    req.destroy();
    await waitFor(() => lines.length > 0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ path: "/hang", status: 499, responseBytes: 0 });
    expect(
      sampleValue(await metrics.render(), "sagemaker_serve_requests_total", {
        model: "",
        route: "other",
        status_class: "4xx",
      }),
    ).toBe(1);
  });

  it("has nothing to do when metrics and access log are off", () => {
    const telemetry = { metrics: NO_METRICS, accessLog: NO_ACCESS_LOG };
    expect(
      observeRequest(telemetry, {} as never, {} as never, { defaultModel: "m", isModel }),
    ).toBeUndefined();
  });
});
