import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it, onTestFinished } from "vitest";
import { startModelServer } from "../src/index.ts";
import { captureLog, isAlive, serve, testConfig, workerPids, type CapturedLog } from "./helpers.ts";

const post = (url: string, body: string) => fetch(url, { method: "POST", body });

function waitForLine(log: CapturedLog, text: string, count = 1): Promise<true> {
  // Often includes Python start-ups of niced workers on a loaded machine: as generous as the start-up timeout.
  return waitFor(() => log.lines.filter((line) => line.includes(text)).length >= count, {
    timeoutMs: 30_000,
    description: `${count} log line(s) containing "${text}"`,
  });
}

describe("worker pool reliability", () => {
  it("fails the request whose worker crashes and serves the next one on a replacement", async () => {
    const { url, log } = await serve({ handlerService: "crash_handler" });
    const firstPid = await (await post(url("/invocations"), "pid")).text();
    const crashed = await post(url("/invocations"), "crash");
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({
      code: 500,
      type: "InternalServerException",
      message: "Worker died.",
    });
    const next = await post(url("/invocations"), "pid");
    expect(next.status).toBe(200);
    const secondPid = await next.text();
    expect(secondPid).not.toBe(firstPid);
    expect(await isAlive(Number(firstPid))).toBe(false);
    expect(log.lines.some((line) => line.includes("died (code 3)"))).toBe(true);
    // A request handed to the worker behind the one that crashes it never started: it is served by the replacement.
    const [crashing, behind] = await Promise.all([
      post(url("/invocations"), "crash"),
      post(url("/invocations"), "pid"),
    ]);
    expect(crashing.status).toBe(500);
    expect(behind.status).toBe(200);
  });

  it("answers a request that outlives the timeout with 500 and replaces the worker", async () => {
    // The same timeout must NOT fire for the quick requests, which a loaded machine can hold up for a second.
    const { url, log } = await serve({ handlerService: "sleep_handler", requestTimeoutMs: 5000 });
    const [slow, behind] = await Promise.all([
      post(url("/invocations"), "60"),
      post(url("/invocations"), "0"),
    ]);
    expect([behind.status, await behind.text()]).toEqual([200, "slept 0.0"]);
    expect(slow.status).toBe(500);
    expect(await slow.json()).toMatchObject({
      type: "InternalServerException",
      message: expect.stringContaining("5000 ms"),
    });
    const [oldPid] = workerPids(log);
    await waitFor(async () => !(await isAlive(oldPid!)), { description: "the timed-out worker is gone" });
    const fast = await post(url("/invocations"), "0");
    expect(await fast.text()).toBe("slept 0.0");
    expect(workerPids(log)).toHaveLength(2);
  });

  it("answers 503 when the queue is full", async () => {
    const gate = join(await useTempDir(), "gate");
    const { url, log } = await serve({ handlerService: "gate_handler", queueSize: 1 }, { GATE_FILE: gate });
    const busy = post(url("/invocations"), "wait");
    await waitForLine(log, "waiting at the gate");
    // One worker busy until the gate opens, room for one waiting request: of five more, four are refused at once
    // and one waits.
    const more = Array.from({ length: 5 }, () => post(url("/invocations"), "x"));
    const answered: Response[] = [];
    for (const response of more)
      response.then(
        (r) => answered.push(r),
        () => undefined,
      );
    await waitFor(() => answered.length >= 4, { description: "four answers while the worker is busy" });
    expect(answered.map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect(await answered[0]!.json()).toEqual({
      code: 503,
      type: "ServiceUnavailableException",
      message:
        "No worker is available to serve request for model: model. Consider increasing job queue size.",
    });
    await writeFile(gate, "");
    const all = await Promise.all(more);
    expect(all.filter((r) => r.status === 503)).toHaveLength(4);
    const waited = all.find((r) => r.status !== 503);
    expect([waited?.status, await waited?.text()]).toEqual([200, "ok"]);
    expect([(await busy).status, await (await busy).text()]).toEqual([200, "passed the gate"]);
  });

  it("batches requests up to batchSize, waiting at most maxBatchDelayMs", async () => {
    // The delay must cover the three requests' arrival on a loaded machine; the lone request shows it is a maximum.
    const { url } = await serve({ handlerService: "batch_handler", batchSize: 3, maxBatchDelayMs: 4000 });
    const answers = await Promise.all(
      ["a", "b", "c"].map(async (body) => (await post(url("/invocations"), body)).text()),
    );
    expect(answers).toEqual(["batch of 3: a", "batch of 3: b", "batch of 3: c"]);
    expect(await (await post(url("/invocations"), "alone")).text()).toBe("batch of 1: alone");
  });

  it("lets in-flight requests finish on close, refuses new connections and leaves no worker", async () => {
    const gate = join(await useTempDir(), "gate");
    const log = captureLog();
    const server = await startModelServer(testConfig({ handlerService: "gate_handler", workers: 2 }), {
      logger: log,
      env: { PATH: process.env.PATH, GATE_FILE: gate },
    });
    onTestFinished(async () => {
      await writeFile(gate, "").catch(() => undefined);
      await server.close(0);
    });
    const base = `http://127.0.0.1:${server.port}`;
    const inFlight = [post(`${base}/invocations`, "wait"), post(`${base}/invocations`, "wait")];
    await waitForLine(log, "waiting at the gate", 2);
    const closing = server.close(20_000);
    // Both requests are still held by their workers here: closing refuses newcomers without cutting them off.
    await expect(fetch(`${base}/ping`)).rejects.toThrow();
    await writeFile(gate, "");
    const answers = await Promise.all(inFlight);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(await Promise.all(answers.map((r) => r.text()))).toEqual(["passed the gate", "passed the gate"]);
    await closing;
    await server.closed;
    await expect(fetch(`${base}/ping`)).rejects.toThrow();
    const pids = workerPids(log);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
  });

  it("reports /ping unhealthy while a crashed model cannot reload, and healthy again once it can", async () => {
    const marker = join(await useTempDir(), "marker");
    const { url, log } = await serve({ handlerService: "flaky_load" }, { FLAKY_MARKER: marker });
    expect((await fetch(url("/ping"))).status).toBe(200);
    expect((await post(url("/invocations"), "crash")).status).toBe(500);
    await waitForLine(log, "refusing to load again");
    const ping = await fetch(url("/ping"));
    expect(ping.status).toBe(500);
    expect(await ping.json()).toEqual({ status: "Unhealthy" });
    await rm(marker);
    await waitFor(async () => (await fetch(url("/ping"))).status === 200, {
      timeoutMs: 20_000,
      description: "healthy again",
    });
    expect(await (await post(url("/invocations"), "x")).text()).toBe("ok");
  });
});

describe("closing while the model loads", () => {
  it("stops the loading workers and leaves none behind", async () => {
    const log = captureLog();
    const controller = new AbortController();
    const starting = startModelServer(testConfig({ handlerService: "slow_load", workers: 2 }), {
      logger: log,
      signal: controller.signal,
      env: { PATH: process.env.PATH },
    }).catch((error: unknown) => error);
    await waitForLine(log, "slow load started", 2);
    const pids = log.lines.flatMap((line) => {
      const match = /slow load started in (\d+)/.exec(line);
      return match ? [Number(match[1])] : [];
    });
    controller.abort();
    expect(await starting).toMatchObject({ code: "MODEL_SERVER_LOAD_FAILED" });
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
  });
});
