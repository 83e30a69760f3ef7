import { describe, expect, it } from "vitest";
import { runCli, useServeSetup } from "./harness.ts";

describe("config shows the metrics and access-log settings", () => {
  it("in the built-in server's config and settings, and as TorchServe's metrics_address", async () => {
    const s = await useServeSetup({ flavors: ["torchserve"] });
    const env = s.env({
      SAGEMAKER_SERVE_METRICS_PORT: "9464",
      SAGEMAKER_SERVE_METRICS_ADDRESS: "0.0.0.0",
      SAGEMAKER_SERVE_ACCESS_LOG: "false",
      SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE: "30",
      SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: "10",
    });
    const builtin = runCli(["config", "--backend", "builtin", "--format", "json"], { env, cwd: s.dir });
    expect((await builtin.exit).code, builtin.output()).toBe(0);
    const plan = JSON.parse(builtin.output()) as { configText: string; settings: Record<string, unknown> };
    const keys = {
      metricsPort: 9464,
      metricsAddress: "0.0.0.0",
      accessLog: false,
      accessLogPingSample: 30,
      handlerMetricsMaxSeries: 10,
    };
    expect(plan.settings).toMatchObject(keys);
    expect(JSON.parse(plan.configText)).toMatchObject(keys);

    const torchserve = runCli(["config", "--backend", "torchserve"], { env, cwd: s.dir });
    expect((await torchserve.exit).code, torchserve.output()).toBe(0);
    expect(torchserve.output()).toContain("\nmetrics_address=http://0.0.0.0:9464\n");
  });
});
