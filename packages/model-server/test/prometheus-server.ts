import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { onTestFinished } from "vitest";

export interface PrometheusServer {
  url: string;
  /** The value of an instant query with one result; undefined when it has none yet. */
  query(expression: string): Promise<number | undefined>;
  /** Waits until the query returns `expected` (after Prometheus's next scrapes). */
  waitForValue(expression: string, expected: number): Promise<void>;
}

/**
 * Starts a real Prometheus server (Debian's `prometheus`) on loopback, with storage in a temp dir, scraping
 * `targets` (`host:port`) every 250 ms; it is stopped when the test finishes.
 */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const dir = await useTempDir();
  const config = join(dir, "prometheus.yml");
  await writeFile(
    config,
    [
      "global:",
      "  scrape_interval: 250ms",
      "  scrape_timeout: 200ms",
      "scrape_configs:",
      "  - job_name: sagemaker-serve",
      "    static_configs:",
      `      - targets: [${targets.map((target) => JSON.stringify(target)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const child = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, "exit");
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    { timeoutMs: 60_000, description: "prometheus ready" },
  );
  const query = async (expression: string): Promise<number | undefined> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ value: [number, string] }> };
    };
    if (body.status !== "success") throw new Error(`query ${expression}: ${body.error}`);
    const result = body.data!.result;
    if (result.length > 1) throw new Error(`query ${expression}: ${result.length} series, expected one`);
    return result.length === 0 ? undefined : Number(result[0]!.value[1]);
  };
  return {
    url,
    query,
    waitForValue: async (expression, expected) => {
      let last: number | undefined;
      await waitFor(async () => (last = await query(expression)) === expected, {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: `${expression} == ${expected} (last ${last})`,
      });
    },
  };
}
