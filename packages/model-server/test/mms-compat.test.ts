import { rm } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { serve } from "./helpers.ts";

// Behaviours pinned against MMS's sources (InferenceRequestHandler, NettyUtils, mms/context.py).
describe("MMS compatibility details", () => {
  it("hands query parameters to the handler on /invocations and /{name}/predict, not on /predictions/{name}", async () => {
    const { url } = await serve({ handlerService: "compat_handler" });
    const parameters = async (path: string) => {
      const res = await fetch(url(path), { method: "POST", body: "b" });
      expect(res.status).toBe(200);
      return Object.keys(((await res.json()) as { parameters: object }).parameters);
    };
    expect(await parameters("/invocations?q=1")).toEqual(["body", "q"]);
    expect(await parameters("/models/model/invoke?q=1")).toEqual(["body", "q"]);
    expect(await parameters("/model/predict?q=1")).toEqual(["body", "q"]);
    expect(await parameters("/predictions/model?q=1")).toEqual(["body"]);
  });

  it("gives multipart file parts their content type (octet-stream by default) and plain fields none", async () => {
    const { url } = await serve({ handlerService: "compat_handler" });
    const boundary = "XyZ";
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="field"',
      "Content-Type: application/json",
      "",
      '{"a":1}',
      `--${boundary}`,
      'Content-Disposition: form-data; name="upload"; filename="u.bin"',
      "",
      "raw",
      `--${boundary}`,
      'Content-Disposition: form-data; name="typed"; filename="t.csv"',
      "Content-Type: text/csv",
      "",
      "1,2",
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const res = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(await res.json()).toMatchObject({
      parameters: {
        field: { "content-type": "" },
        typed: { "content-type": "text/csv" },
        upload: { "content-type": "application/octet-stream" },
      },
      values: { field: '{"a":1}', typed: "1,2", upload: "raw" },
    });
  });

  it("puts MMS's no-cache headers on handler responses and offers both get_response_header forms", async () => {
    const { url } = await serve({ handlerService: "compat_handler" });
    const res = await fetch(url("/invocations"), { method: "POST", body: "b" });
    expect(res.headers.get("x-first")).toBe("1");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-cache; no-store, must-revalidate, private");
    expect(res.headers.get("pragma")).toBe("no-cache");
    expect(res.headers.get("expires")).toBe("Thu, 01 Jan 1970 00:00:00 UTC");
    expect(await res.json()).toMatchObject({
      responseHeader: "1",
      allResponseHeaders: { "x-first": "1", "content-type": "application/json" },
    });
  });

  it("reads unparsable paging parameters as their defaults, like Netty's getIntParameter", async () => {
    const { url } = await serve({ handlerService: "compat_handler" });
    const res = await fetch(url("/models?limit=abc&next_page_token=x"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ models: [{ modelName: "model", modelUrl: expect.any(String) }] });
  });

  it('answers 200 "Partial Healthy" while some of a model\'s workers are down', async () => {
    const marker = join(await useTempDir(), "marker");
    const { url } = await serve({ handlerService: "flaky_load", workers: 2 }, { FLAKY_MARKER: marker });
    expect(await (await fetch(url("/ping"))).json()).toEqual({ status: "Healthy" });
    expect((await fetch(url("/invocations"), { method: "POST", body: "crash" })).status).toBe(500);
    await waitFor(
      async () => ((await (await fetch(url("/ping"))).json()) as { status: string }).status !== "Healthy",
      {
        timeoutMs: 20_000,
        description: "a worker down",
      },
    );
    const ping = await fetch(url("/ping"));
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ status: "Partial Healthy" });
    await rm(marker);
    await waitFor(
      async () => ((await (await fetch(url("/ping"))).json()) as { status: string }).status === "Healthy",
      {
        timeoutMs: 30_000,
        description: "both workers back",
      },
    );
  });
});
