import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import {
  ACCESS_LOG_FLUSH_CHARS,
  createAccessLog,
  formatAccessLine,
  type AccessLogEntry,
} from "./access-log.ts";

const entry: AccessLogEntry = {
  client: "10.0.0.7",
  method: "POST",
  path: "/invocations?x=1",
  protocol: "HTTP/1.1",
  status: 200,
  durationMs: 12.3456,
  requestBytes: 42,
  responseBytes: 17,
  requestId: "4b2c2c5e-0d53-4a0c-9d3e-8c5c2a7e1f00",
};
const time = () => new Date("2026-12-07T01:02:03.004Z");

describe("formatAccessLine", () => {
  it("writes MMS's access-log message, then the response bytes and the request id", () => {
    expect(formatAccessLine(entry, "text", time)).toBe(
      'INFO ACCESS_LOG 10.0.0.7 "POST /invocations?x=1 HTTP/1.1" 200 12 17 4b2c2c5e-0d53-4a0c-9d3e-8c5c2a7e1f00\n',
    );
  });

  it("keeps an odd request target on one line and inside its quotes", () => {
    expect(formatAccessLine({ ...entry, path: '/a"b\nc' }, "text", time)).toContain(
      '"POST /a%22b\\x0ac HTTP/1.1"',
    );
  });

  it("writes one JSON object per line", () => {
    const line = formatAccessLine(entry, "json", time);
    expect(line.endsWith("}\n")).toBe(true);
    expect(JSON.parse(line)).toEqual({
      time: "2026-12-07T01:02:03.004Z",
      level: "info",
      logger: "access-log",
      client: "10.0.0.7",
      method: "POST",
      path: "/invocations?x=1",
      protocol: "HTTP/1.1",
      status: 200,
      durationMs: 12.346,
      requestBytes: 42,
      responseBytes: 17,
      requestId: entry.requestId,
    });
  });
});

describe("createAccessLog", () => {
  it("buffers lines and writes them in one call: after a short while, at 64 KiB, or on flush", async () => {
    const chunks: string[] = [];
    const log = createAccessLog({
      format: "text",
      pingSample: 0,
      write: (chunk) => chunks.push(chunk),
      now: time,
    });
    log.log(entry);
    log.log({ ...entry, status: 404 });
    expect(chunks).toEqual([]);
    await waitFor(() => chunks.length === 1);
    expect(chunks[0]!.split("\n")).toHaveLength(3);
    log.log(entry);
    log.flush();
    expect(chunks).toHaveLength(2);
    const line = formatAccessLine(entry, "text", time);
    const lines = Math.ceil(ACCESS_LOG_FLUSH_CHARS / line.length);
    for (let i = 0; i < lines; i++) log.log(entry);
    expect(chunks).toHaveLength(3);
    expect(chunks[2]).toBe(line.repeat(lines));
  });

  it("leaves /ping out by default and logs one in N when sampling", () => {
    const off: string[] = [];
    const quiet = createAccessLog({ format: "text", pingSample: 0, write: (chunk) => off.push(chunk) });
    const sampled: string[] = [];
    const some = createAccessLog({ format: "text", pingSample: 3, write: (chunk) => sampled.push(chunk) });
    for (let i = 0; i < 7; i++) {
      for (const log of [quiet, some]) {
        log.log({ ...entry, path: "/ping" });
        log.log({ ...entry, path: "/ping?deep=1" });
      }
    }
    quiet.log({ ...entry, path: "/pingx" });
    quiet.flush();
    some.flush();
    expect(off.join("").match(/\n/g)).toHaveLength(1);
    expect(off.join("")).toContain("/pingx");
    expect(sampled.join("").match(/\n/g)).toHaveLength(5);
  });
});
