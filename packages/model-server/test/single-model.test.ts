import { relative as relativePath } from "node:path";
import { describe, expect, it } from "vitest";
import { startModelServer } from "../src/index.ts";
import { captureLog, HANDLERS_DIR, serve, testConfig } from "./helpers.ts";

describe("single-model server with real Python workers", () => {
  it("serves a function handler: initialised with None, MMS request layout, JSON output", async () => {
    const { url } = await serve();
    const ping = await fetch(url("/ping"));
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ status: "Healthy" });

    const res = await fetch(url("/invocations?extra=1"), {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-custom": "abc" },
      body: JSON.stringify({ x: 1 }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      echo: '{"x":1}',
      parameters: ["body", "extra"],
      initializedWith: [HANDLERS_DIR],
      model: "model",
      requestId,
      customHeader: "abc",
      pythonPath: HANDLERS_DIR,
      bodyContentType: { "content-type": "application/json" },
      systemProperties: { model_dir: HANDLERS_DIR, gpu_id: null, batch_size: 1, server_name: "MMS" },
    });
  });

  it("lays form fields out as parameters, like MMS (multipart and urlencoded)", async () => {
    const { url } = await serve();
    const form = new FormData();
    form.append("text", "plain value");
    form.append("data", new Blob(["{}"], { type: "application/json" }), "data.json");
    const multipart = (await (
      await fetch(url("/invocations"), { method: "POST", body: form })
    ).json()) as Record<string, unknown>;
    expect(multipart).toMatchObject({
      echo: null,
      parameters: ["data", "text"],
      dataContentType: { "content-type": "application/json" },
      dataValue: "{}",
    });
    const urlencoded = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "x=1&y=two",
    });
    expect(await urlencoded.json()).toMatchObject({ echo: null, parameters: ["x", "y"] });
  });

  it("serves a class handler through /models/{name}/invoke and describes the model", async () => {
    const { url } = await serve({ handlerService: "class_handler", modelName: "a model/with slash" });
    const name = encodeURIComponent("a model/with slash");
    const res = await fetch(url(`/models/${name}/invoke`), { method: "POST", body: "hi" });
    expect(await res.json()).toEqual({ initialized: true, batch: 1, body: "hi" });
    const described = (await (await fetch(url(`/models/${name}`))).json()) as Record<string, unknown>;
    expect(described).toMatchObject({
      modelName: "a model/with slash",
      loadedAtStartup: true,
      minWorkers: 1,
    });
    expect((described.workers as unknown[]).length).toBe(1);
  });

  it("passes the status, reason phrase, content type and headers a handler sets", async () => {
    const { url } = await serve({ handlerService: "status_handler" });
    const created = await fetch(url("/invocations"), { method: "POST", body: "x" });
    expect(created.status).toBe(201);
    expect(created.statusText).toBe("Made It");
    expect(created.headers.get("content-type")).toBe("application/x-custom");
    expect(created.headers.get("x-handler")).toBe("yes");
    expect(Buffer.from(await created.arrayBuffer())).toEqual(Buffer.from("\x00\x01binary", "latin1"));
    const teapot = await fetch(url("/invocations"), { method: "POST", body: "teapot" });
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get("content-type")).toBe("text/plain");
    expect(await teapot.text()).toBe("short and stout");
    expect((await fetch(url("/invocations"), { method: "POST", body: "bad status" })).status).toBe(500);
    expect((await fetch(url("/invocations"), { method: "POST", body: "x" })).status).toBe(201);
  });

  it("logs what a handler prints, prefixed with the model name, without corrupting the channel", async () => {
    const { url, log } = await serve({ handlerService: "printing_handler", modelName: "printer" });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url("/invocations"), { method: "POST", body: "x" });
      expect(await res.text()).toBe("printed");
    }
    expect(log.lines).toContain("INFO [printer] printing handler loading");
    expect(log.lines).toContain("INFO [printer] hello from the handler on stdout");
    expect(log.lines).toContain("INFO [printer] hello from the handler on stderr");
    expect(log.lines).toContain("INFO [printer] \\x00\\x00\\x00\\x10frame-lookalike");
  });

  it("answers 413 with MMS's error shape when the payload is over the limit", async () => {
    const { url } = await serve({ maxRequestBytes: 1024 });
    const res = await fetch(url("/invocations"), { method: "POST", body: "x".repeat(2048) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 413, type: "RequestEntityTooLargeException" });
    const ok = await fetch(url("/invocations"), { method: "POST", body: "x".repeat(1024) });
    expect(ok.status).toBe(200);
  });

  it("answers unknown paths 404 and wrong methods 405 like MMS", async () => {
    const { url } = await serve();
    const missing = await fetch(url("/nope"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      code: 404,
      type: "ResourceNotFoundException",
      message: "Requested resource is not found, please refer to API document.",
    });
    const wrong = await fetch(url("/invocations"));
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ code: 405, type: "MethodNotAllowedException" });
    const params = await fetch(url("/execution-parameters"));
    expect(await params.json()).toEqual({
      MaxConcurrentTransforms: 1,
      BatchStrategy: "MULTI_RECORD",
      MaxPayloadInMB: 6,
    });
  });

  it("refuses to start with a clear code when the model or the interpreter is missing", async () => {
    const options = { logger: captureLog(), env: { PATH: process.env.PATH } };
    await expect(
      startModelServer(testConfig({ modelDir: "/does/not/exist" }), options),
    ).rejects.toMatchObject({
      code: "MODEL_SERVER_MODEL_NOT_FOUND",
    });
    await expect(
      startModelServer(testConfig({ python: "/does/not/exist/python3" }), options),
    ).rejects.toMatchObject({
      code: "MODEL_SERVER_PYTHON_FAILED",
      message: expect.stringContaining("ENOENT"),
    });
    await expect(
      startModelServer(testConfig({ handlerService: "fail_load", workers: 2 }), options),
    ).rejects.toMatchObject({
      code: "MODEL_SERVER_LOAD_FAILED",
      message: expect.stringContaining("RuntimeError: cannot read weights from /nowhere/model.bin"),
    });
  });

  it("serves a model directory given as a relative path", async () => {
    const relative = relativePath(process.cwd(), HANDLERS_DIR);
    const { url } = await serve({ modelDir: relative, handlerService: "echo_handler" });
    expect(await (await fetch(url("/invocations"), { method: "POST", body: "rel" })).text()).toBe("rel");
  });

  it("fails to listen with MODEL_SERVER_LISTEN_FAILED on a taken port", async () => {
    const { server } = await serve();
    await expect(
      startModelServer(testConfig({ port: server.port }), {
        logger: captureLog(),
        env: { PATH: process.env.PATH },
      }),
    ).rejects.toMatchObject({ code: "MODEL_SERVER_LISTEN_FAILED" });
  });
});
