import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { HANDLERS_DIR, serve } from "./helpers.ts";

const run = promisify(execFile);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Writes a .mar (zip) of the handlers fixture with a MAR-INF/MANIFEST.json, using Python's zipfile. */
async function makeMar(path: string, manifest: unknown): Promise<void> {
  const script = `
import json, os, sys, zipfile
src, dest, manifest = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        if name.endswith(".py"):
            z.write(os.path.join(src, name), name)
    z.writestr("MAR-INF/MANIFEST.json", manifest)
`;
  await run("python3", ["-c", script, HANDLERS_DIR, path, JSON.stringify(manifest)]);
}

function extractedDirs(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const match = / from (\S*sagemaker-serve-model-\S+) with /.exec(line);
    return match ? [match[1]!] : [];
  });
}

describe("loading models from archives", () => {
  it("serves a model.tar.gz in single-model mode and removes the extraction on close", async () => {
    const dir = await useTempDir();
    const tarball = join(dir, "model.tar.gz");
    await run("tar", ["-czf", tarball, "-C", HANDLERS_DIR, "echo_handler.py"]);
    const { url, log, server } = await serve({ modelDir: tarball, handlerService: "echo_handler" });
    expect(await (await fetch(url("/invocations"), { method: "POST", body: "from a tarball" })).text()).toBe(
      "from a tarball",
    );
    const [extracted] = extractedDirs(log.lines);
    expect(extracted).toBeDefined();
    expect(await exists(join(extracted!, "echo_handler.py"))).toBe(true);
    await server.close();
    expect(await exists(extracted!)).toBe(false);
  });

  it("registers a .mar with the handler and name from MAR-INF/MANIFEST.json and cleans up on DELETE", async () => {
    const dir = await useTempDir();
    const mar = join(dir, "echo.mar");
    await makeMar(mar, {
      model: { modelName: "from-manifest", handler: "status_handler" },
      runtime: "python",
    });
    const { url, log } = await serve({ multiModel: true, modelDir: dir, handlerService: "echo_handler" });
    const loaded = await fetch(url("/models?url=echo.mar"), { method: "POST" });
    expect(loaded.status).toBe(200);
    expect((await (await fetch(url("/models"))).json()) as unknown).toEqual({
      models: [{ modelName: "from-manifest", modelUrl: "echo.mar" }],
    });
    const res = await fetch(url("/models/from-manifest/invoke"), { method: "POST", body: "x" });
    expect(res.status).toBe(201);
    const [extracted] = extractedDirs(log.lines);
    expect((await fetch(url("/models/from-manifest"), { method: "DELETE" })).status).toBe(200);
    expect(await exists(extracted!)).toBe(false);
  });

  it("finds the model one directory down in a TorchServe-style model.tar.gz", async () => {
    const dir = await useTempDir();
    const script = `
import io, json, sys, tarfile
src, dest = sys.argv[1], sys.argv[2]
with tarfile.open(dest, "w:gz") as t:
    t.add(src + "/echo_handler.py", "echo/echo_handler.py")
    data = json.dumps({"model": {"modelName": "echo", "handler": "echo_handler", "modelVersion": "2.5"}}).encode()
    info = tarfile.TarInfo("echo/MAR-INF/MANIFEST.json")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
`;
    await run("python3", ["-c", script, HANDLERS_DIR, join(dir, "model.tar.gz")]);
    const { url } = await serve({ multiModel: true, modelDir: dir, handlerService: "fail_load" });
    expect((await fetch(url("/models?url=model.tar.gz"), { method: "POST" })).status).toBe(200);
    expect(await (await fetch(url("/models/echo"))).json()).toMatchObject({
      modelName: "echo",
      modelVersion: "2.5",
    });
    expect(await (await fetch(url("/models/echo/invoke"), { method: "POST", body: "down" })).text()).toBe(
      "down",
    );
  });

  it("refuses a corrupt archive with 400 and leaves nothing registered", async () => {
    const dir = await useTempDir();
    await run("sh", ["-c", `printf 'not a zip' > ${join(dir, "bad.mar")}`]);
    const { url } = await serve({ multiModel: true, modelDir: dir });
    const res = await fetch(url("/models"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model_name: "bad", url: "bad.mar" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 400, type: "BadRequestException" });
    expect((await (await fetch(url("/models"))).json()) as unknown).toEqual({ models: [] });
  });
});
