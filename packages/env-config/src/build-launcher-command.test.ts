import { describe, expect, it } from "vitest";
import { buildLauncherCommand } from "./build-launcher-command.ts";
import { parseServeEnvironment } from "./parse-serve-environment.ts";

const paths = {
  configPath: "/etc/sagemaker-mms.properties",
  logConfigPath: "/usr/lib/sagemaker-serve/etc/log4j2.xml",
};

describe("buildLauncherCommand: MMS (toolkit checklist 1-5)", () => {
  it("1: single model, nothing set: the toolkit's argv plus --foreground", () => {
    expect(buildLauncherCommand(parseServeEnvironment({}), { backend: "mms", ...paths })).toEqual({
      command: "multi-model-server",
      args: [
        "--start",
        "--model-store",
        "/",
        "--mms-config",
        "/etc/sagemaker-mms.properties",
        "--log-config",
        "/usr/lib/sagemaker-serve/etc/log4j2.xml",
        "--models",
        "model=/opt/ml/model",
        "--foreground",
      ],
      envChanges: { PYTHONPATH: "/opt/ml/model/code:" },
      modelStore: "/",
    });
  });

  it("2: multi-model drops --models", () => {
    const { args } = buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true" }), {
      backend: "mms",
      ...paths,
    });
    expect(args).toEqual([
      "--start",
      "--model-store",
      "/",
      "--mms-config",
      "/etc/sagemaker-mms.properties",
      "--log-config",
      "/usr/lib/sagemaker-serve/etc/log4j2.xml",
      "--foreground",
    ]);
    expect(
      buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "True" }), {
        backend: "mms",
        ...paths,
      }).args,
    ).toContain("--models");
  });

  it("3: SAGEMAKER_BASE_DIR moves --models and the code dir", () => {
    const command = buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_BASE_DIR: "/x" }), {
      backend: "mms",
      ...paths,
    });
    expect(command.args.slice(-3)).toEqual(["--models", "model=/x/model", "--foreground"]);
    expect(command.envChanges).toEqual({ PYTHONPATH: "/x/model/code:" });
  });

  it("4: multi-model sets SAGEMAKER_HANDLER when unset or empty, keeps a non-empty one, never in single-model mode", () => {
    const mme = (env: Record<string, string>, handler?: string) =>
      buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true", ...env }), {
        backend: "mms",
        ...paths,
        ...(handler === undefined ? {} : { handler }),
      }).envChanges;
    expect(mme({})).toEqual({
      PYTHONPATH: "/opt/ml/models/code:",
      SAGEMAKER_HANDLER: "sagemaker_inference.default_handler_service",
    });
    expect(mme({ SAGEMAKER_HANDLER: "" }, "custom.service").SAGEMAKER_HANDLER).toBe("custom.service");
    expect(mme({ SAGEMAKER_HANDLER: "/home/model-server/mme_handler_service.py:handle" })).not.toHaveProperty(
      "SAGEMAKER_HANDLER",
    );
    expect(
      buildLauncherCommand(parseServeEnvironment({}), { backend: "mms", ...paths }).envChanges,
    ).not.toHaveProperty("SAGEMAKER_HANDLER");
  });

  it("5: PYTHONPATH becomes <code_dir>: when unset and <code_dir>:<old> when set (even to empty)", () => {
    const pythonPath = (env: Record<string, string>) =>
      buildLauncherCommand(parseServeEnvironment(env), { backend: "mms", ...paths }).envChanges.PYTHONPATH;
    expect(pythonPath({})).toBe("/opt/ml/model/code:");
    expect(pythonPath({ PYTHONPATH: "python_path" })).toBe("/opt/ml/model/code:python_path");
    expect(pythonPath({ PYTHONPATH: "" })).toBe("/opt/ml/model/code:");
  });
});

describe("buildLauncherCommand: TorchServe (the PyTorch toolkit's command)", () => {
  const ts = {
    backend: "torchserve" as const,
    configPath: "/etc/sagemaker-ts.properties",
    logConfigPath: "/etc/ts-log4j2.xml",
  };

  it("single model: store under <cwd>/.sagemaker/ts/models, --models model=<modelDir>, --foreground", () => {
    expect(buildLauncherCommand(parseServeEnvironment({}), ts)).toEqual({
      command: "torchserve",
      args: [
        "--start",
        "--model-store",
        "/.sagemaker/ts/models",
        "--ts-config",
        "/etc/sagemaker-ts.properties",
        "--log-config",
        "/etc/ts-log4j2.xml",
        "--models",
        "model=/opt/ml/model",
        "--foreground",
      ],
      envChanges: { PYTHONPATH: "/opt/ml/model/code" },
      modelStore: "/.sagemaker/ts/models",
    });
    expect(buildLauncherCommand(parseServeEnvironment({}), { ...ts, cwd: "/work" }).modelStore).toBe(
      "/work/.sagemaker/ts/models",
    );
    expect(
      buildLauncherCommand(parseServeEnvironment({}), { ...ts, torchServeModelStore: "/tmp/store" }).args[2],
    ).toBe("/tmp/store");
  });

  it("multi-model: store /, no --models, SAGEMAKER_HANDLER set, PYTHONPATH code:old without a trailing colon", () => {
    expect(
      buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true", PYTHONPATH: "/lib" }), {
        ...ts,
        handler: "/opt/handler_service.py",
      }),
    ).toEqual({
      command: "torchserve",
      args: [
        "--start",
        "--model-store",
        "/",
        "--ts-config",
        "/etc/sagemaker-ts.properties",
        "--log-config",
        "/etc/ts-log4j2.xml",
        "--foreground",
      ],
      envChanges: { PYTHONPATH: "/opt/ml/models/code:/lib", SAGEMAKER_HANDLER: "/opt/handler_service.py" },
      modelStore: "/",
    });
  });
});

describe("buildLauncherCommand: TorchServe handler rules (the PyTorch toolkit's)", () => {
  const ts = { backend: "torchserve" as const, configPath: "/c", logConfigPath: "/l" };
  const mme = (env: Record<string, string>) =>
    buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true", ...env }), ts).envChanges;

  it("multi-model: SAGEMAKER_HANDLER becomes the PyTorch toolkit's handler service when absent", () => {
    expect(mme({}).SAGEMAKER_HANDLER).toBe("sagemaker_pytorch_serving_container.handler_service");
    expect(mme({ SAGEMAKER_SERVE_HANDLER: "my.service" }).SAGEMAKER_HANDLER).toBe("my.service");
  });

  it("multi-model: an empty SAGEMAKER_HANDLER is kept as is (the inference toolkit would replace it)", () => {
    expect(mme({ SAGEMAKER_HANDLER: "" })).not.toHaveProperty("SAGEMAKER_HANDLER");
    expect(mme({ SAGEMAKER_HANDLER: "custom.mme" })).not.toHaveProperty("SAGEMAKER_HANDLER");
    expect(
      buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_HANDLER: "" }), {
        ...ts,
        backend: "mms",
      }).envChanges.SAGEMAKER_HANDLER,
    ).toBe("sagemaker_inference.default_handler_service");
  });
});

describe("buildLauncherCommand: misuse", () => {
  it("throws TypeError for a missing path or an unknown backend", () => {
    const settings = parseServeEnvironment({});
    expect(() => buildLauncherCommand(settings, { ...paths, backend: "builtin" as never })).toThrow(
      TypeError,
    );
    expect(() =>
      buildLauncherCommand(settings, { backend: "mms", configPath: "", logConfigPath: "/x" }),
    ).toThrow("buildLauncherCommand: configPath must be a non-empty string");
  });

  it("refuses a handler that MMS could not substitute safely", () => {
    expect(() =>
      buildLauncherCommand(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true" }), {
        backend: "mms",
        ...paths,
        handler: "x$1y",
      }),
    ).toThrow(expect.objectContaining({ code: "CONFIG_VALUE_INVALID" }));
  });
});
