import { describe, expect, it } from "vitest";
import { startModelServer } from "../src/index.ts";
import { captureLog, FIXTURES, serve, testConfig } from "./helpers.ts";

const SCRIPT_MODEL = `${FIXTURES}script-model`;

describe("SageMaker script mode (inference.py) through the default handler service", () => {
  it("runs model_fn and predict_fn with the default JSON and CSV decoders and encoders", async () => {
    const { url } = await serve({
      modelDir: SCRIPT_MODEL,
      handlerService: "sagemaker_inference.default_handler_service",
    });
    const json = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify([[1, 2, 3]]),
    });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(await json.json()).toEqual([[321]]);

    const csv = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "text/csv", accept: "text/csv" },
      body: "1,2,3\n4,5,6",
    });
    expect(csv.headers.get("content-type")).toBe("text/csv");
    expect(await csv.text()).toBe("321\n654\n");
  });

  it("uses SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT when Accept is */* and reports handler errors as 500", async () => {
    const { url } = await serve({
      modelDir: SCRIPT_MODEL,
      handlerService: "",
      defaultInvocationsAccept: "text/csv",
    });
    const res = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "*/*" },
      body: "[[0, 0, 1]]",
    });
    expect(res.headers.get("content-type")).toBe("text/csv");
    expect(await res.text()).toBe("100\n");

    const bad = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: "raw",
    });
    expect(bad.status).toBe(500);
    const text = await bad.text();
    expect(text).toContain("Content type application/octet-stream is not supported by this framework.");
    expect(text).toContain("Traceback (most recent call last)");
  });

  it("fails to start, naming the handler's error, when model_fn is missing", async () => {
    const log = captureLog();
    const config = testConfig({ modelDir: SCRIPT_MODEL, handlerService: "", program: "missing_program.py" });
    const error = await startModelServer(config, { logger: log, env: { PATH: process.env.PATH } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "MODEL_SERVER_LOAD_FAILED" });
    expect((error as Error).message).toContain(
      "NotImplementedError: Please provide a model_fn implementation.",
    );
    expect((error as Error).message).not.toContain("\n");
    expect(log.lines.some((line) => line.startsWith("INFO [model] Traceback (most recent call last)"))).toBe(
      true,
    );
  });
});
