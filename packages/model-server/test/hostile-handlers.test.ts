import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { isAlive, serve, workerPids } from "./helpers.ts";

const post = (url: string, body: string) => fetch(url, { method: "POST", body });

describe("no handler can take the server down", () => {
  it("answers every bad value a handler sets with 500 naming the mistake; the worker stays and serves the next request", async () => {
    const { url, log } = await serve({ handlerService: "hostile_handler" });
    const pid = await (await post(url("/invocations"), "pid")).text();
    const cases: Array<[string, string]> = [
      ["ct-nan", "response content type must be a str, got float nan"],
      ["ct-int", "response content type must be a str, got int 0"],
      ["ct-bytes", "must be a str, got bytes b'text/plain'"],
      ["ct-object", "must be a str, got dict"],
      ["ct-newline", "holds characters HTTP cannot carry"],
      ["status-nan", "response status must be an int, got nan"],
      ["status-str", "response status must be an int, got 'abc'"],
      ["status-big", "response status 99999 is not an HTTP status"],
      ["status-bool", "response status must be an int, got True"],
      ["phrase-object", "response phrase must be a str, got ['x']"],
      ["phrase-huge", "response phrase is longer than 1024 characters"],
      ["header-name-crlf", "is not an HTTP token"],
      ["header-value-crlf", "holds characters HTTP cannot carry"],
      ["header-name-int", "response header name 5 is not an HTTP token"],
      ["header-value-object", "must be a str, got object"],
      ["header-huge", "response headers exceed 8192 bytes"],
      ["return-surrogate", "the output cannot be serialized"],
    ];
    for (const [action, mistake] of cases) {
      const response = await post(url("/invocations"), action);
      expect(response.status, action).toBe(500);
      const body = (await response.json()) as { message: string };
      expect(body.message, action).toContain("Invalid response from the model handler");
      expect(body.message, action).toContain(mistake);
      expect(
        log.lines.some((line) => line.startsWith("ERROR") && line.includes(mistake)),
        `${action}: an error line names the mistake`,
      ).toBe(true);
      const next = await post(url("/invocations"), "pid");
      expect([next.status, await next.text()], `${action}: the same worker serves the next request`).toEqual([
        200,
        pid,
      ]);
    }
  });

  it("fails a batch whose return value MMS refuses, like MMS, and keeps the worker", async () => {
    const { url } = await serve({ handlerService: "hostile_handler" });
    const pid = await (await post(url("/invocations"), "pid")).text();
    for (const [action, message] of [
      ["return-set", "Unsupported model output data type."],
      ["return-dict", "Invalid model predict output"],
      ["return-short", "number of batch response mismatched"],
    ]) {
      const response = await post(url("/invocations"), action!);
      expect(response.status, action).toBe(503);
      expect(((await response.json()) as { message: string }).message).toBe(message);
      expect(await (await post(url("/invocations"), "pid")).text()).toBe(pid);
    }
  });

  it("replaces CR/LF in a reason phrase instead of letting it inject a header", async () => {
    const { url } = await serve({ handlerService: "hostile_handler" });
    const response = await post(url("/invocations"), "phrase-crlf");
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made  X-Injected: 1");
    expect(response.headers.get("x-injected")).toBeNull();
  });

  it("cuts 16 MiB printed without a newline to one capped log line, in linear time", async () => {
    const { url, log } = await serve({ handlerService: "hostile_handler" });
    const response = await post(url("/invocations"), "print-huge");
    expect([response.status, await response.text()]).toEqual([200, "printed"]);
    await waitFor(() => log.lines.some((line) => line.includes("bytes truncated]")), {
      description: "the truncated line in the log",
    });
    const line = log.lines.find((l) => l.includes("bytes truncated]"))!;
    expect(line.length).toBeLessThan(70 * 1024);
    expect(line).toContain(`… [${16 * 1024 * 1024 - 64 * 1024} bytes truncated]`);
  });

  it("replaces a worker that writes garbage on its channel; the server and the other models stay up", async () => {
    const { url, log } = await serve({ handlerService: "hostile_handler" });
    const [pid] = workerPids(log);
    const response = await post(url("/invocations"), "garbage-frame");
    expect(response.status).toBe(500);
    expect(log.lines.some((line) => line.includes("broke the worker protocol"))).toBe(true);
    await waitFor(async () => !(await isAlive(pid!)), { description: "the garbling worker is gone" });
    await waitFor(() => workerPids(log).length === 2, {
      timeoutMs: 30_000,
      description: "a replacement worker loaded",
    });
    const next = await post(url("/invocations"), "pid");
    expect(next.status).toBe(200);
    expect(await next.text()).not.toBe(String(pid));
  });
});
