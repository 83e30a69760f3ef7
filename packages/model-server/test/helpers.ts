import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect, onTestFinished } from "vitest";
import {
  startModelServer,
  type BuiltinServerConfig,
  type ModelServerHandle,
  type ModelServerLogger,
  type StartModelServerOptions,
} from "../src/index.ts";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const HANDLERS_DIR = `${FIXTURES}handlers`;

export function testConfig(overrides: Partial<BuiltinServerConfig> = {}): BuiltinServerConfig {
  return {
    port: 0,
    bindAddress: "127.0.0.1",
    multiModel: false,
    modelDir: HANDLERS_DIR,
    modelName: "model",
    handlerService: "function_handler",
    workers: 1,
    requestTimeoutMs: 60_000,
    maxRequestBytes: 6 * 1024 * 1024,
    startupTimeoutMs: 30_000,
    defaultInvocationsAccept: null,
    program: null,
    python: "python3",
    batchSize: 1,
    maxBatchDelayMs: 100,
    queueSize: 100,
    stopGraceMs: 10_000,
    logFormat: "text",
    bodyTimeoutMs: 60_000,
    maxConnections: 1000,
    maxBufferedBytes: null,
    metricsPort: null,
    metricsAddress: "127.0.0.1",
    accessLog: false,
    accessLogPingSample: 0,
    handlerMetricsMaxSeries: 100,
    ...overrides,
  };
}

export interface CapturedLog extends ModelServerLogger {
  lines: string[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/** Worker pids the log reported as loaded. */
export function workerPids(log: CapturedLog): number[] {
  return log.lines.flatMap((line) => {
    const match = / loaded \(pid (\d+)\)/.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export interface Running {
  server: ModelServerHandle;
  log: CapturedLog;
  url: (path: string) => string;
}

/** Starts a server for the current test; closes it and asserts that no worker outlived it when the test ends. */
export async function serve(
  overrides: Partial<BuiltinServerConfig> = {},
  env: Record<string, string> = {},
  options: Pick<StartModelServerOptions, "accessLogWrite"> = {},
): Promise<Running> {
  const log = captureLog();
  const server = await startModelServer(testConfig(overrides), {
    logger: log,
    env: { PATH: process.env.PATH, ...env },
    ...options,
  });
  onTestFinished(async () => {
    await server.close(2000);
    for (const pid of workerPids(log)) expect(await isAlive(pid), `worker ${pid} left running`).toBe(false);
  });
  return { server, log, url: (path) => `http://127.0.0.1:${server.port}${path}` };
}
