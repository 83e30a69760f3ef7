import { once } from "node:events";
import { createServer } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { BUNDLE, LOG_CONFIG, mmsLauncherArgs, runCli, useServeSetup } from "./harness.ts";

describe("CLI commands", () => {
  it("refuses train and typos at once with the list of commands, and a did-you-mean for a typo", async () => {
    const s = await useServeSetup();
    for (const [word, guess] of [
      ["train", ""],
      ["serv", ' did you mean "serve"?'],
    ]) {
      const cli = runCli([word!], { env: s.env(), cwd: s.dir });
      expect(await cli.exit).toEqual({ code: 2, signal: null });
      expect(cli.output()).toBe(
        `sagemaker-serve: unknown command "${word}";${guess} commands: serve, archive, config, doctor (see sagemaker-serve --help)\n`,
      );
    }
    expect(await s.fakes.records()).toEqual([]);
  });

  it("prints --version and --help", async () => {
    const s = await useServeSetup();
    const version = runCli(["--version"], { env: s.env(), cwd: s.dir });
    expect((await version.exit).code).toBe(0);
    expect(version.output()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = runCli(["--help"], { env: s.env(), cwd: s.dir });
    expect((await help.exit).code).toBe(0);
    for (const command of ["serve", "archive", "config", "doctor"])
      expect(help.output()).toContain(`  ${command} `);
  });

  it("config prints exactly the file serve would write, and the whole plan as JSON", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const env = s.env({
      SAGEMAKER_MODEL_SERVER_WORKERS: "2",
      CA_REPOSITORY_ARN: "arn:aws:codeartifact:us-east-1:012345678900:repository/dom/repo",
    });
    const text = runCli(["config"], { env, cwd: s.dir });
    expect((await text.exit).code).toBe(0);
    expect(text.output()).toContain("default_workers_per_model=2\n");
    expect(text.output()).toMatch(/^# Based on: /);

    const json = runCli(["config", "--format", "json"], { env, cwd: s.dir });
    expect((await json.exit).code).toBe(0);
    const plan = JSON.parse(json.output()) as Record<string, unknown>;
    expect(plan).toMatchObject({
      backend: "mms",
      configPath: s.configPath,
      configText: text.output(),
      command: [`${s.fakes.binDir}/multi-model-server`, ...mmsLauncherArgs(s)],
      env: { PYTHONPATH: `${s.modelDir}/code:` },
      settings: { bindPort: s.port, modelDir: s.modelDir, workers: 2 },
    });
    const builtin = runCli(["config", "--backend", "builtin", "--format", "json"], { env, cwd: s.dir });
    expect((await builtin.exit).code).toBe(0);
    const builtinPlan = JSON.parse(builtin.output()) as { command: string[]; configText: string };
    expect(builtinPlan.command).toEqual([process.execPath, BUNDLE, "model-server", "--config", s.configPath]);
    expect(JSON.parse(builtinPlan.configText)).toMatchObject({
      port: s.port,
      workers: 2,
      modelName: "model",
    });
    expect(await s.fakes.records()).toEqual([]);
  });

  it("config with no SAGEMAKER_* variable plans the toolkit's exact default command and config", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const env = Object.fromEntries(
      Object.entries(s.env()).filter(([name]) => !name.startsWith("SAGEMAKER_")),
    );
    const json = runCli(["config", "--format", "json"], { env, cwd: s.dir });
    expect((await json.exit).code).toBe(0);
    const plan = JSON.parse(json.output()) as { command: string[]; configPath: string; configText: string };
    expect(plan.configPath).toBe("/etc/sagemaker-mms.properties");
    expect(plan.command).toEqual([
      `${s.fakes.binDir}/multi-model-server`,
      "--start",
      "--model-store",
      "/",
      "--mms-config",
      "/etc/sagemaker-mms.properties",
      "--log-config",
      LOG_CONFIG,
      "--models",
      "model=/opt/ml/model",
      "--foreground",
    ]);
    expect(plan.configText).toMatch(
      /\ndefault_response_timeout=60\ninference_address=http:\/\/0\.0\.0\.0:8080\nmanagement_address=http:\/\/0\.0\.0\.0:8080\nvmargs=-XX:-UseContainerSupport\ndefault_service_handler=sagemaker_inference\.default_handler_service\n$/,
    );
    expect(await s.fakes.records()).toEqual([]);
  });

  it("config lists every problem of a bad environment and exits 2", async () => {
    const s = await useServeSetup();
    const cli = runCli(["config"], {
      env: s.env({ SAGEMAKER_BIND_TO_PORT: "70000", SAGEMAKER_STARTUP_TIMEOUT: "ten" }),
      cwd: s.dir,
    });
    expect(await cli.exit).toEqual({ code: 2, signal: null });
    expect(cli.output()).toMatch(/ {2}- SAGEMAKER_STARTUP_TIMEOUT: /);
    expect(cli.output()).toMatch(/ {2}- SAGEMAKER_BIND_TO_PORT: /);
  });

  it("doctor names a taken port and PID 1 without an init, each with its fix", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const blocker = createServer().listen(s.port, "0.0.0.0");
    await once(blocker, "listening");
    onTestFinished(() => void blocker.close());
    const cli = runCli(["doctor"], {
      env: s.env({ SAGEMAKER_SERVE_PYTHON: "python3" }),
      cwd: s.dir,
      wrapper: ["unshare", "--pid", "--fork", "--mount-proc"],
    });
    expect((await cli.exit).code).toBe(1);
    expect(cli.output()).toMatch(
      new RegExp(`^fail +port: PORT_IN_USE: port ${s.port} is already in use .*\\n +fix: \\S`, "m"),
    );
    expect(cli.output()).toMatch(/^warn +init: running as PID 1 without an init\n +fix: .*tini/m);
  });

  it("doctor checks the machine and names what to fix", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const ok = runCli(["doctor"], { env: s.env({ SAGEMAKER_SERVE_PYTHON: "python3" }), cwd: s.dir });
    const { code } = await ok.exit;
    const out = ok.output();
    for (const name of [
      "environment",
      "multi-model-server",
      "torchserve",
      "backend",
      "python",
      "pip",
      "java",
      "init",
      "model",
      "config",
      "port",
    ]) {
      expect(out).toMatch(new RegExp(`^(ok|warn|fail) +${name}: `, "m"));
    }
    expect(out).toMatch(/^ok +backend: mms /m);
    expect(out).toMatch(new RegExp(`^ok +port: ${s.port} is free`, "m"));
    expect(code === 0).toBe(!/^fail/m.test(out));

    const broken = runCli(["doctor"], {
      env: s.env({ SAGEMAKER_SERVE_PYTHON: "/nonexistent/python3" }),
      cwd: s.dir,
    });
    expect((await broken.exit).code).toBe(1);
    expect(broken.output()).toMatch(
      /^fail python: \/nonexistent\/python3 \(from SAGEMAKER_SERVE_PYTHON\) cannot be run\n +fix: /m,
    );
  });
});
