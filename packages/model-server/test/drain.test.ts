import { describe, expect, it } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { serve } from "./helpers.ts";

describe("drain and stop", () => {
  it("counts a request that times out during DELETE's drain as finished: DELETE does not wait out its grace", async () => {
    // A grace longer than the test's own timeout: only a drain that ends on the timeout lets the test pass.
    const { url, log } = await serve({ multiModel: true, requestTimeoutMs: 1500, stopGraceMs: 600_000 });
    const registered = await fetch(url("/models?url=.&model_name=slow&handler=sleep_handler"), {
      method: "POST",
    });
    expect(registered.status).toBe(200);
    const slow = fetch(url("/predictions/slow"), { method: "POST", body: "300" });
    await waitFor(() => log.lines.some((line) => line.includes("sleeping 300")), {
      description: "the slow request is running",
    });
    const deleted = await fetch(url("/models/slow"), { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect((await slow).status).toBe(500);
  });

  it("answers the request still running when the close grace ends with 503 and stops at once", async () => {
    const { server, url, log } = await serve({ handlerService: "sleep_handler" });
    const slow = fetch(url("/invocations"), { method: "POST", body: "300" });
    await waitFor(() => log.lines.some((line) => line.includes("sleeping 300")), {
      description: "the slow request is running",
    });
    await server.close(500);
    const response = await slow;
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ type: "ServiceUnavailableException" });
  });

  it("answers a request handed to a worker behind the running one with 503 when the close grace ends", async () => {
    const { server, url, log } = await serve({ handlerService: "sleep_handler", metricsPort: 0 });
    const running = fetch(url("/invocations"), { method: "POST", body: "300" });
    await waitFor(() => log.lines.some((line) => line.includes("sleeping 300")), {
      description: "the slow request is running",
    });
    const behind = fetch(url("/invocations"), { method: "POST", body: "301" });
    // With batchSize 1 the worker is handed the next request while it runs one: it counts as queued until it starts.
    const metrics = `http://127.0.0.1:${server.metricsPort!}/metrics`;
    await waitFor(
      async () => /^sagemaker_serve_requests_queued\{[^}]*\} 1$/m.test(await (await fetch(metrics)).text()),
      {
        description: "the second request waits in the worker's pipeline",
      },
    );
    await server.close(500);
    for (const response of [await running, await behind]) {
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ type: "ServiceUnavailableException" });
    }
  });
});
