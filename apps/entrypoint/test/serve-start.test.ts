import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TS_LOG_CONFIG, mmsLauncherArgs, ping, runCli, useServeSetup } from "./harness.ts";

const SINGLE_MODEL_CONFIG = (port: number) =>
  [
    "# Based on: https://github.com/awslabs/multi-model-server/blob/master/docs/configuration.md",
    "enable_envvars_config=true",
    "decode_input_request=false",
    "load_models=ALL",
    "default_response_timeout=60",
    `inference_address=http://0.0.0.0:${port}`,
    `management_address=http://0.0.0.0:${port}`,
    "vmargs=-XX:-UseContainerSupport",
    "default_service_handler=sagemaker_inference.default_handler_service",
    "",
  ].join("\n");

describe("serve with MMS", () => {
  it("starts the toolkit's exact command with --foreground, writes the exact config, and is ready", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);

    const records = await s.fakes.records();
    const launcher = records.find((r) => r.role === "launcher")!;
    expect(launcher.argv).toEqual(mmsLauncherArgs(s));
    expect(await readFile(s.configPath, "utf8")).toBe(SINGLE_MODEL_CONFIG(s.port));
    expect((await stat(s.configPath)).mode & 0o777).toBe(0o644);
    const server = records.find((r) => r.role === "server")!;
    expect(server.env.PYTHONPATH).toBe(`${s.modelDir}/code:`);
    expect(server.env.SAGEMAKER_HANDLER).toBeUndefined();
    expect(server.configText).toBe(SINGLE_MODEL_CONFIG(s.port));
    expect(JSON.parse((await ping(s.port)).body)).toEqual({ status: "Healthy" });

    const output = cli.output();
    for (const line of [
      /INFO environment valid \(\d+ ms\)/,
      /INFO backend mms: auto: multi-model-server found at \S+\/bin\/multi-model-server/,
      /INFO requirements: none \(no \S+\/code\/requirements.txt\) \(\d+ ms\)/,
      /INFO archive: none needed/,
      /INFO config written to \S+ \(\d+ ms\)/,
      /INFO launcher spawned \(pid \d+\): \S+multi-model-server --start .* --foreground \(\d+ ms\)/,
      new RegExp(`INFO server process found \\(pid ${server.pid}, via \\w+\\) \\(\\d+ ms\\)`),
    ]) {
      expect(output).toMatch(line);
    }
    expect(output).not.toMatch(/PID 1/);

    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).toMatch(/server stopped \(stopped, SIGTERM\)/);
  });

  it("starts multi-model mode without --models and with SAGEMAKER_HANDLER for $$SAGEMAKER_HANDLER$$", async () => {
    const s = await useServeSetup({ flavors: ["mms"], multiModel: true });
    const cli = runCli(["serve"], { env: s.env({ SAGEMAKER_SERVE_LOG_FORMAT: "json" }), cwd: s.dir });
    await cli.waitForOutput('"msg":"ready in');
    const records = await s.fakes.records();
    expect(records.find((r) => r.role === "launcher")!.argv).toEqual(
      mmsLauncherArgs(s, { singleModel: false }),
    );
    const server = records.find((r) => r.role === "server")!;
    expect(server.env.SAGEMAKER_HANDLER).toBe("sagemaker_inference.default_handler_service");
    expect(server.properties!.default_service_handler).toBe("sagemaker_inference.default_handler_service");
    expect(server.configText).toContain("default_service_handler=$$SAGEMAKER_HANDLER$$\n");

    const load = await fetch(`http://127.0.0.1:${s.port}/models`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model_name: "m1", url: s.modelDir }),
    });
    expect(load.status).toBe(200);
    const jsonLines = cli
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { phase?: string; durationMs?: number });
    expect(jsonLines.map((l) => l.phase).filter(Boolean)).toEqual([
      "environment",
      "requirements",
      "archive",
      "config",
      "spawn",
      "found",
      "ready",
    ]);
    cli.child.kill("SIGINT");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("passes --handler through to the config and takes --backend over the environment", async () => {
    const s = await useServeSetup({ flavors: ["mms", "torchserve"] });
    const cli = runCli(["serve", "--backend", "mms", "--handler", "my_pkg.handler_service"], {
      env: s.env({ SAGEMAKER_SERVE_BACKEND: "torchserve" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(await readFile(s.configPath, "utf8")).toMatch(
      /\ndefault_service_handler=my_pkg.handler_service\n$/,
    );
    expect(cli.output()).toContain("backend mms: SAGEMAKER_SERVE_BACKEND or --backend is mms");
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});

describe("serve: the toolkit's environment rules, end to end", () => {
  it("in multi-model mode keeps a set SAGEMAKER_HANDLER, prepends the code dir to PYTHONPATH and reads models/code", async () => {
    const s = await useServeSetup({ flavors: ["mms"], multiModel: true });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_HANDLER: "my_pkg.mme_handler", PYTHONPATH: "/opt/extra" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(s.modelDir).toMatch(/\/models$/);
    expect(cli.output()).toContain(`requirements: none (no ${s.modelDir}/code/requirements.txt)`);
    const server = (await s.fakes.records()).find((r) => r.role === "server")!;
    expect(server.env.SAGEMAKER_HANDLER).toBe("my_pkg.mme_handler");
    expect(server.properties!.default_service_handler).toBe("my_pkg.mme_handler");
    expect(server.env.PYTHONPATH).toBe(`${s.modelDir}/code:/opt/extra`);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });

  it("treats SAGEMAKER_MULTI_MODEL=True as off (with a warning) and leaves SAGEMAKER_HANDLER alone", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_MULTI_MODEL: "True", SAGEMAKER_HANDLER: "left.alone" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(cli.output()).toMatch(/WARN .*SAGEMAKER_MULTI_MODEL/);
    const records = await s.fakes.records();
    expect(records.find((r) => r.role === "launcher")!.argv).toEqual(mmsLauncherArgs(s));
    const server = records.find((r) => r.role === "server")!;
    expect(server.env.SAGEMAKER_HANDLER).toBe("left.alone");
    expect(server.configText).toBe(SINGLE_MODEL_CONFIG(s.port));
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});

describe("serve with TorchServe", () => {
  it("picks torchserve when it is the only launcher, with the PyTorch toolkit's command and store", async () => {
    const s = await useServeSetup({ flavors: ["torchserve"] });
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(cli.output()).toContain("backend torchserve: auto: torchserve found at");
    const store = join(s.dir, ".sagemaker/ts/models");
    expect((await stat(store)).isDirectory()).toBe(true);
    const records = await s.fakes.records();
    expect(records.find((r) => r.role === "launcher")!.argv).toEqual([
      "--start",
      "--model-store",
      store,
      "--ts-config",
      s.configPath,
      "--log-config",
      TS_LOG_CONFIG,
      "--models",
      `model=${s.modelDir}`,
      "--foreground",
    ]);
    const server = records.find((r) => r.role === "server")!;
    expect(server.cmdline).toContain("org.pytorch.serve.ModelServer");
    expect(server.properties).toMatchObject({
      disable_token_authorization: "true",
      enable_model_api: "true",
    });
    expect(server.env.PYTHONPATH).toBe(`${s.modelDir}/code`);
    expect(await ping(s.port)).toMatchObject({ status: 200 });
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });
});
