import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { describeProbe, probeReadiness } from "./readiness.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
}

const mmsHealthy = (status: number, body: string): boolean =>
  status === 200 && (JSON.parse(body) as { status: string }).status === "Healthy";

describe("probeReadiness", () => {
  it("healthy when the backend's predicate says so", async () => {
    const url = await serve((_req, res) => res.end(JSON.stringify({ status: "Healthy" })));
    expect(await probeReadiness({ url, isHealthy: mmsHealthy })).toEqual({
      ok: true,
      status: 200,
      body: '{"status":"Healthy"}',
    });
  });

  it('MMS 200 with "Unhealthy" is not ready (reliability §6 case 15)', async () => {
    const url = await serve((_req, res) => res.end(JSON.stringify({ status: "Unhealthy" })));
    const result = await probeReadiness({ url, isHealthy: mmsHealthy });
    expect(result).toMatchObject({ ok: false, status: 200 });
    expect(describeProbe(result)).toBe('last probe answered 200 "{\\"status\\":\\"Unhealthy\\"}"');
  });

  it("a predicate that throws (odd body) means not ready", async () => {
    const url = await serve((_req, res) => res.end("<html>"));
    expect(await probeReadiness({ url, isHealthy: mmsHealthy })).toMatchObject({ ok: false, status: 200 });
  });

  it("a server that never answers is cut at the client timeout", async () => {
    const url = await serve(() => undefined);
    const result = await probeReadiness({ url, isHealthy: () => true }, { timeoutMs: 200 });
    expect(result).toEqual({ ok: false, error: "no answer within 200 ms" });
  });

  it("a refused connection, a bad URL and an aborted probe are failures, never throws", async () => {
    const url = await serve((_req, res) => res.end());
    server?.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await probeReadiness({ url, isHealthy: () => true })).toEqual({
      ok: false,
      error: "ECONNREFUSED",
    });
    expect(await probeReadiness({ url: "not a url", isHealthy: () => true })).toEqual({
      ok: false,
      error: "invalid URL",
    });
    const aborted = new AbortController();
    aborted.abort();
    expect(await probeReadiness({ url, isHealthy: () => true }, { signal: aborted.signal })).toMatchObject({
      ok: false,
    });
    expect(describeProbe(undefined)).toBe("no probe completed");
  });

  it("keeps at most 64 KiB of the body", async () => {
    const url = await serve((_req, res) => res.end("x".repeat(200_000)));
    const result = await probeReadiness({ url, isHealthy: (_s, body) => body.length === 64 * 1024 });
    expect(result.ok).toBe(true);
  });
});
