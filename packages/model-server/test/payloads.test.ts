import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { serve } from "./helpers.ts";

const MIB = 1024 * 1024;

/** POSTs `body` in `chunkSize` pieces with chunked transfer encoding; resolves with status and the whole response. */
function postChunked(
  url: string,
  body: Buffer,
  chunkSize: number,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { "content-type": "application/octet-stream" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    for (let at = 0; at < body.length; at += chunkSize) req.write(body.subarray(at, at + chunkSize));
    req.end();
  });
}

describe("real-sized payloads through the worker socket", () => {
  it("echoes 33 MiB bodies byte-exact both ways, several at once across two workers", async () => {
    const { url } = await serve({ handlerService: "echo_handler", workers: 2, maxRequestBytes: 40 * MIB });
    const bodies = [randomBytes(33 * MIB), randomBytes(33 * MIB + 17), randomBytes(1)];
    const responses = await Promise.all(
      bodies.map((body) => fetch(url("/invocations"), { method: "POST", body })),
    );
    for (const [index, response] of responses.entries()) {
      expect(response.status).toBe(200);
      const echoed = Buffer.from(await response.arrayBuffer());
      expect(echoed.length).toBe(bodies[index]!.length);
      expect(echoed.equals(bodies[index]!)).toBe(true);
    }
  });

  it("reads a chunked 33 MiB upload byte-exact", async () => {
    const { url } = await serve({ handlerService: "echo_handler", maxRequestBytes: 40 * MIB });
    const body = randomBytes(33 * MIB);
    const response = await postChunked(url("/invocations"), body, 100_003);
    expect(response.status).toBe(200);
    expect(response.body.equals(body)).toBe(true);
  });

  it("hands the handler the bytearray MMS hands it, and takes bytes, bytearray, memoryview and str back", async () => {
    const { url } = await serve({ handlerService: "types_handler" });
    for (const kind of ["bytes", "bytearray", "memoryview", "str"]) {
      const response = await fetch(url(`/invocations?kind=${kind}`), { method: "POST", body: "abc" });
      expect(await response.text()).toBe(`bytearray:abc:${kind}`);
    }
  });
});
