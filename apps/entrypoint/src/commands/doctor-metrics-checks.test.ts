import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { parseServeEnvironment } from "@sagemaker-serve/env-config";
import { describe, expect, it, onTestFinished } from "vitest";
import { metricsChecks } from "./doctor-metrics-checks.ts";

async function holdPort(host: string): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const checksFor = (env: Record<string, string>, backend: "mms" | "torchserve" | "builtin") =>
  metricsChecks(parseServeEnvironment(env), backend, env);

describe("metricsChecks (doctor)", () => {
  it("built-in server: off without a port, ok on a free port or the inference port", async () => {
    expect(await checksFor({}, "builtin")).toEqual([
      { name: "metrics", status: "ok", detail: "off (SAGEMAKER_SERVE_METRICS_PORT is unset)" },
    ]);
    const port = await freePort();
    expect(await checksFor({ SAGEMAKER_SERVE_METRICS_PORT: String(port) }, "builtin")).toEqual([
      { name: "metrics", status: "ok", detail: `GET /metrics on 127.0.0.1:${port} (free)` },
    ]);
    expect(
      await checksFor({ SAGEMAKER_SERVE_METRICS_PORT: "8080", SAGEMAKER_BIND_TO_PORT: "8080" }, "builtin"),
    ).toEqual([{ name: "metrics", status: "ok", detail: "GET /metrics on the inference port 8080" }]);
  });

  it("fails when the metrics port is taken on its address", async () => {
    const port = await holdPort("127.0.0.1");
    expect(await checksFor({ SAGEMAKER_SERVE_METRICS_PORT: String(port) }, "builtin")).toEqual([
      {
        name: "metrics",
        status: "fail",
        detail: `SAGEMAKER_SERVE_METRICS_PORT ${port} cannot be bound on 127.0.0.1: EADDRINUSE`,
        fix: "stop the process holding the port, or set SAGEMAKER_SERVE_METRICS_PORT to a free port",
      },
    ]);
  });

  it("fails on an address that is not this machine's", async () => {
    const [check] = await checksFor(
      { SAGEMAKER_SERVE_METRICS_PORT: "9464", SAGEMAKER_SERVE_METRICS_ADDRESS: "192.0.2.1" },
      "builtin",
    );
    expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining("EADDRNOTAVAIL") });
    expect(check!.fix).toContain("SAGEMAKER_SERVE_METRICS_ADDRESS");
  });

  it("MMS: says which variables do not apply, and nothing when none is set", async () => {
    expect(await checksFor({}, "mms")).toEqual([]);
    expect(
      await checksFor({ SAGEMAKER_SERVE_METRICS_PORT: "9464", SAGEMAKER_SERVE_ACCESS_LOG: "false" }, "mms"),
    ).toEqual([
      {
        name: "metrics",
        status: "warn",
        detail:
          "SAGEMAKER_SERVE_METRICS_PORT, SAGEMAKER_SERVE_ACCESS_LOG do not apply to MMS (it writes [METRICS] lines and its access log through log4j, with no metrics API)",
        fix: "unset them, or set SAGEMAKER_SERVE_BACKEND=builtin",
      },
    ]);
  });

  it("TorchServe: the listener becomes metrics_address (port checked); the built-in-only variables do not apply", async () => {
    const port = await freePort();
    expect(
      await checksFor(
        { SAGEMAKER_SERVE_METRICS_PORT: String(port), SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: "5" },
        "torchserve",
      ),
    ).toEqual([
      {
        name: "metrics",
        status: "warn",
        detail:
          "SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES does not apply to TorchServe (its access log and metrics are its own)",
        fix: "unset it, or set SAGEMAKER_SERVE_BACKEND=builtin",
      },
      { name: "metrics", status: "ok", detail: `TorchServe metrics API on 127.0.0.1:${port} (free)` },
    ]);
  });
});
