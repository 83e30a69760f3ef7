import { describe, expect, it } from "vitest";
import { FIXTURES, HANDLERS_DIR, isAlive, serve } from "./helpers.ts";

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });

describe("multi-model endpoint API (SageMaker MME contract, MMS shapes)", () => {
  it("loads, lists with pagination, describes, invokes and unloads models, with every error status", async () => {
    const { url } = await serve({ multiModel: true, modelDir: FIXTURES, handlerService: "echo_handler" });
    const load = (body: unknown) =>
      fetch(url("/models"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect(await json(await fetch(url("/models")))).toEqual({ status: 200, body: { models: [] } });
    expect((await fetch(url("/ping"))).status).toBe(200);

    expect(await json(await load({ model_name: "b", url: HANDLERS_DIR }))).toEqual({
      status: 200,
      body: { status: "Workers scaled" },
    });
    // Relative urls resolve against the model dir; query parameters work like MMS's.
    expect((await fetch(url("/models?model_name=a&url=handlers"), { method: "POST" })).status).toBe(200);
    expect((await load({ model_name: "c/../weird name", url: "handlers" })).status).toBe(200);

    expect(await json(await load({ model_name: "a", url: HANDLERS_DIR }))).toEqual({
      status: 409,
      body: { code: 409, type: "ConflictStatusException", message: "Model a is already registered." },
    });
    expect(await json(await load({ model_name: "x", url: "/does/not/exist" }))).toEqual({
      status: 404,
      body: {
        code: 404,
        type: "ModelNotFoundException",
        message: "Model not found in model store: /does/not/exist",
      },
    });
    expect((await json(await load({ model_name: "x", url: "handlers/../handlers" }))).status).toBe(404);
    expect(await json(await load({ model_name: "x" }))).toEqual({
      status: 400,
      body: { code: 400, type: "BadRequestException", message: "Parameter url is required." },
    });

    const oom = await json(await load({ model_name: "oom", url: HANDLERS_DIR, handler: "oom_load" }));
    expect(oom).toMatchObject({ status: 507, body: { code: 507, type: "InternalServerException" } });
    const killed = await json(
      await load({ model_name: "killed", url: HANDLERS_DIR, handler: "killed_load" }),
    );
    expect(killed).toMatchObject({ status: 507, body: { code: 507, type: "InternalServerException" } });
    const broken = await json(await load({ model_name: "broken", url: HANDLERS_DIR, handler: "fail_load" }));
    expect(broken).toMatchObject({ status: 500, body: { code: 500, type: "InternalServerException" } });
    expect((broken.body as { message: string }).message).toContain(
      "cannot read weights from /nowhere/model.bin",
    );

    const page1 = await json(await fetch(url("/models?limit=2")));
    expect(page1.body).toEqual({
      models: [
        { modelName: "a", modelUrl: "handlers" },
        { modelName: "b", modelUrl: HANDLERS_DIR },
      ],
      nextPageToken: "2",
    });
    const page2 = await json(await fetch(url("/models?limit=2&next_page_token=2")));
    expect(page2.body).toEqual({ models: [{ modelName: "c/../weird name", modelUrl: "handlers" }] });

    const described = await json(await fetch(url("/models/a")));
    expect(described).toMatchObject({
      status: 200,
      body: { modelName: "a", modelUrl: "handlers", workers: [{ status: "READY" }] },
    });
    expect(await json(await fetch(url("/models/zzz")))).toEqual({
      status: 404,
      body: { code: 404, type: "ModelNotFoundException", message: "Model not found: zzz" },
    });

    const weird = encodeURIComponent("c/../weird name");
    const invoked = await fetch(url(`/models/${weird}/invoke`), {
      method: "POST",
      headers: { "X-Amzn-SageMaker-Target-Model": "c.tar.gz" },
      body: "hello",
    });
    expect(await invoked.text()).toBe("hello");
    expect((await fetch(url("/models/zzz/invoke"), { method: "POST", body: "x" })).status).toBe(404);
    expect(await json(await fetch(url("/invocations"), { method: "POST", body: "x" }))).toEqual({
      status: 400,
      body: { code: 400, type: "BadRequestException", message: "Parameter model_name is required." },
    });
    expect(
      await (await fetch(url("/invocations?model_name=b"), { method: "POST", body: "via query" })).text(),
    ).toBe("via query");

    const pids = ((await json(await fetch(url("/models/a")))).body as { workers: unknown[] }).workers;
    expect(pids).toHaveLength(1);
    expect(await json(await fetch(url("/models/a"), { method: "DELETE" }))).toEqual({
      status: 200,
      body: { status: 'Model "a" unregistered' },
    });
    expect((await fetch(url("/models/a"), { method: "DELETE" })).status).toBe(404);
    expect((await fetch(url("/models/a/invoke"), { method: "POST", body: "x" })).status).toBe(404);
    expect((await json(await fetch(url("/models")))).body).toEqual({
      models: [
        { modelName: "b", modelUrl: HANDLERS_DIR },
        { modelName: "c/../weird name", modelUrl: "handlers" },
      ],
    });
    expect((await fetch(url("/ping"))).status).toBe(200);
  });

  it("registers a model without workers when initial_workers is 0; its requests get 503", async () => {
    const { url } = await serve({ multiModel: true, modelDir: FIXTURES, handlerService: "echo_handler" });
    const loaded = await fetch(url("/models?model_name=idle&url=handlers&initial_workers=0"), {
      method: "POST",
    });
    expect(await json(loaded)).toEqual({ status: 200, body: { status: 'Model "idle" registered' } });
    const invoked = await json(await fetch(url("/models/idle/invoke"), { method: "POST", body: "x" }));
    expect(invoked).toMatchObject({ status: 503, body: { type: "ServiceUnavailableException" } });
    expect((await fetch(url("/ping"))).status).toBe(200);
  });

  it("reclaims a model's workers before DELETE returns", async () => {
    const { url, log } = await serve({
      multiModel: true,
      modelDir: FIXTURES,
      handlerService: "echo_handler",
    });
    await fetch(url("/models"), {
      method: "POST",
      body: JSON.stringify({ model_name: "m", url: "handlers" }),
      headers: { "content-type": "application/json" },
    });
    const pid = Number(/ loaded \(pid (\d+)\)/.exec(log.lines.find((l) => l.includes(" loaded (pid"))!)![1]);
    expect(await isAlive(pid)).toBe(true);
    expect((await fetch(url("/models/m"), { method: "DELETE" })).status).toBe(200);
    expect(await isAlive(pid)).toBe(false);
  });

  it("refuses to load or unload models in single-model mode", async () => {
    const { url } = await serve();
    expect((await fetch(url("/models"), { method: "POST" })).status).toBe(405);
    expect((await fetch(url("/models/model"), { method: "DELETE" })).status).toBe(405);
    expect((await (await fetch(url("/models"))).json()) as unknown).toEqual({
      models: [{ modelName: "model", modelUrl: HANDLERS_DIR }],
    });
  });
});
