import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, isServeError, registerSecret } from "@sagemaker-serve/errors";
import { EnvInvalidError } from "./errors.ts";
import { parseServeEnvironment } from "./parse-serve-environment.ts";
import { serveEnvironmentSchema } from "./variable-table.ts";

afterEach(() => clearSecrets());

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseServeEnvironment(env);
  } catch (error) {
    if (error instanceof EnvInvalidError) return error.problems.map((p) => p.name);
    throw error;
  }
  return [];
}

describe("parseServeEnvironment: defaults exactly as the toolkit", () => {
  it("an empty environment gives the toolkit's defaults and ours", () => {
    expect(parseServeEnvironment({})).toEqual({
      baseDir: "/opt/ml",
      multiModel: false,
      modelDir: "/opt/ml/model",
      codeDir: "/opt/ml/model/code",
      requirementsPath: "/opt/ml/model/code/requirements.txt",
      program: "inference.py",
      moduleName: "inference",
      defaultResponseTimeout: 60,
      defaultResponseTimeoutSeconds: undefined,
      requestTimeoutMs: 3_600_000,
      modelServerWorkers: undefined,
      workers: null,
      startupTimeoutMs: 600_000,
      defaultInvocationsAccept: "application/json",
      bindPort: 8080,
      safePortRange: undefined,
      vmargs: "-XX:-UseContainerSupport",
      maxRequestBytes: undefined,
      sagemakerHandler: undefined,
      caRepositoryArn: undefined,
      pythonPath: undefined,
      torchServe: {
        batchSize: 1,
        maxBatchDelayMs: 100,
        minWorkers: 1,
        maxWorkers: 1,
        responseTimeoutSeconds: 60,
        fromEnv: false,
      },
      backend: "auto",
      handlerService: "sagemaker_inference.default_handler_service",
      handlerServiceSet: false,
      configPath: undefined,
      stopGraceMs: 25_000,
      python: "python3",
      logFormat: "text",
      metricsPort: undefined,
      metricsAddress: "127.0.0.1",
      accessLog: true,
      accessLogPingSample: 0,
      handlerMetricsMaxSeries: 100,
      pipTimeoutMs: 300_000,
      pipForce: false,
      pipAllowIndexOptions: false,
      bodyTimeoutMs: 60_000,
      maxConnections: 1000,
      maxBufferedBytes: undefined,
      warnings: [],
    });
  });

  it("test_environment.py test_env: every variable set", () => {
    const settings = parseServeEnvironment({
      SAGEMAKER_PROGRAM: "main.py",
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "20",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "30",
      SAGEMAKER_MODEL_SERVER_WORKERS: "8",
      SAGEMAKER_STARTUP_TIMEOUT: "50",
      SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: "text/html",
      SAGEMAKER_BIND_TO_PORT: "1738",
      SAGEMAKER_SAFE_PORT_RANGE: "1111-2222",
      SAGEMAKER_MODEL_SERVER_VMARGS: "-XX:-UseContainerSupport",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "10",
    });
    expect(settings).toMatchObject({
      baseDir: "/opt/ml",
      modelDir: "/opt/ml/model",
      codeDir: "/opt/ml/model/code",
      moduleName: "main",
      defaultResponseTimeout: 20,
      defaultResponseTimeoutSeconds: 30,
      requestTimeoutMs: 30_000,
      startupTimeoutMs: 50_000,
      modelServerWorkers: "8",
      workers: 8,
      defaultInvocationsAccept: "text/html",
      bindPort: 1738,
      safePortRange: { low: 1111, high: 2222 },
      vmargs: "-XX:-UseContainerSupport",
      maxRequestBytes: 10 * 1024 * 1024,
    });
  });

  it("does not read process.env: the env passed in is all there is", () => {
    process.env.SAGEMAKER_MULTI_MODEL = "true";
    process.env.SAGEMAKER_BIND_TO_PORT = "9999";
    try {
      const settings = parseServeEnvironment({});
      expect(settings.multiModel).toBe(false);
      expect(settings.bindPort).toBe(8080);
    } finally {
      delete process.env.SAGEMAKER_MULTI_MODEL;
      delete process.env.SAGEMAKER_BIND_TO_PORT;
    }
  });
});

describe("parseServeEnvironment: toolkit checklist", () => {
  it("2: only the exact string true enables multi-model mode; it moves the model dir and requirements", () => {
    const mme = parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true" });
    expect(mme).toMatchObject({
      multiModel: true,
      modelDir: "/opt/ml/models",
      requirementsPath: "/opt/ml/models/code/requirements.txt",
      warnings: [],
    });
    for (const value of ["True", "TRUE", "1", "yes", " true", "false", ""]) {
      expect(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: value }).multiModel).toBe(false);
    }
  });

  it("2: a value that looks like true but is not says so in a warning", () => {
    expect(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "True" }).warnings).toEqual([
      'SAGEMAKER_MULTI_MODEL="True" does not enable multi-model mode: only the exact string "true" does',
    ]);
    expect(parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "false" }).warnings).toEqual([]);
  });

  it("3: paths follow SAGEMAKER_BASE_DIR the way os.path.join does", () => {
    expect(parseServeEnvironment({ SAGEMAKER_BASE_DIR: "/x" })).toMatchObject({
      modelDir: "/x/model",
      codeDir: "/x/model/code",
      requirementsPath: "/x/model/code/requirements.txt",
    });
    expect(parseServeEnvironment({ SAGEMAKER_BASE_DIR: "/x", SAGEMAKER_MULTI_MODEL: "true" }).modelDir).toBe(
      "/x/models",
    );
    expect(parseServeEnvironment({ SAGEMAKER_BASE_DIR: "/x/" }).modelDir).toBe("/x/model");
    expect(parseServeEnvironment({ SAGEMAKER_BASE_DIR: "/x//" }).modelDir).toBe("/x//model");
  });

  it("28: integers follow Python int(): white space, sign and underscores", () => {
    expect(
      parseServeEnvironment({
        SAGEMAKER_MODEL_SERVER_TIMEOUT: " 2_0\n",
        SAGEMAKER_STARTUP_TIMEOUT: "+50",
        SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "\t3_0 ",
        SAGEMAKER_MAX_PAYLOAD_IN_MB: "0_1_0",
      }),
    ).toMatchObject({
      defaultResponseTimeout: 20,
      startupTimeoutMs: 50_000,
      defaultResponseTimeoutSeconds: 30,
      maxRequestBytes: 10_485_760,
    });
  });

  it("28: bad integers in all four toolkit variables are reported together", () => {
    expect(
      problemsOf({
        SAGEMAKER_MODEL_SERVER_TIMEOUT: "20.0",
        SAGEMAKER_STARTUP_TIMEOUT: "ten",
        SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "",
        SAGEMAKER_MAX_PAYLOAD_IN_MB: "1e3",
      }),
    ).toEqual([
      "SAGEMAKER_MODEL_SERVER_TIMEOUT",
      "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS",
      "SAGEMAKER_STARTUP_TIMEOUT",
      "SAGEMAKER_MAX_PAYLOAD_IN_MB",
    ]);
  });

  it("29: SAGEMAKER_PROGRAM main.py and main both give module main; default inference; accept defaults to JSON", () => {
    expect(parseServeEnvironment({ SAGEMAKER_PROGRAM: "main.py" }).moduleName).toBe("main");
    expect(parseServeEnvironment({ SAGEMAKER_PROGRAM: "main" }).moduleName).toBe("main");
    expect(parseServeEnvironment({ SAGEMAKER_PROGRAM: "program.py" }).moduleName).toBe("program");
    expect(parseServeEnvironment({})).toMatchObject({
      moduleName: "inference",
      defaultInvocationsAccept: "application/json",
    });
  });
});

describe("parseServeEnvironment: units and our own settings", () => {
  it("converts seconds and MB once, into names that carry the unit", () => {
    expect(
      parseServeEnvironment({
        SAGEMAKER_STARTUP_TIMEOUT: "0",
        SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "10",
        SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS: "900",
        SAGEMAKER_MAX_PAYLOAD_IN_MB: "2047",
      }),
    ).toMatchObject({
      startupTimeoutMs: 0,
      stopGraceMs: 10_000,
      pipTimeoutMs: 900_000,
      pipForce: false,
      pipAllowIndexOptions: false,
      maxRequestBytes: 2_146_435_072,
    });
  });

  it("derives the MMS request timeout: _SECONDS wins, else minutes, else MMS's 120 minutes", () => {
    expect(parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_TIMEOUT: "2" }).requestTimeoutMs).toBe(120_000);
    expect(parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_TIMEOUT: "0" }).requestTimeoutMs).toBe(7_200_000);
  });

  it("reads our SAGEMAKER_SERVE_* settings; empty means unset", () => {
    expect(
      parseServeEnvironment({
        SAGEMAKER_SERVE_BACKEND: "torchserve",
        SAGEMAKER_SERVE_HANDLER: "/opt/ml/model/code/my_handler.py:handle",
        SAGEMAKER_SERVE_CONFIG_PATH: "/tmp/serve/config.properties",
        SAGEMAKER_SERVE_PYTHON: "/usr/bin/python3.11",
        SAGEMAKER_SERVE_LOG_FORMAT: "json",
        SAGEMAKER_SERVE_PIP_FORCE: "true",
        SAGEMAKER_SERVE_PIP_ALLOW_INDEX_OPTIONS: "true",
      }),
    ).toMatchObject({
      pipForce: true,
      pipAllowIndexOptions: true,
      backend: "torchserve",
      handlerService: "/opt/ml/model/code/my_handler.py:handle",
      configPath: "/tmp/serve/config.properties",
      python: "/usr/bin/python3.11",
      logFormat: "json",
    });
    expect(
      parseServeEnvironment({
        SAGEMAKER_SERVE_BACKEND: "",
        SAGEMAKER_SERVE_HANDLER: "",
        SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS: "",
      }),
    ).toMatchObject({
      backend: "auto",
      handlerService: "sagemaker_inference.default_handler_service",
      pipTimeoutMs: 300_000,
      pipForce: false,
      pipAllowIndexOptions: false,
    });
  });

  it("keeps the workers text verbatim and gives a number or null", () => {
    expect(parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_WORKERS: "0" })).toMatchObject({
      modelServerWorkers: "0",
      workers: null,
    });
    expect(parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_WORKERS: "04" })).toMatchObject({
      modelServerWorkers: "04",
      workers: 4,
    });
    expect(parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_WORKERS: "" })).toMatchObject({
      modelServerWorkers: undefined,
      workers: null,
    });
  });

  it("SAGEMAKER_TS_* set marks fromEnv even at default values", () => {
    const settings = parseServeEnvironment({ SAGEMAKER_TS_BATCH_SIZE: "1", SAGEMAKER_TS_MAX_WORKERS: "4" });
    expect(settings.torchServe).toEqual({
      batchSize: 1,
      maxBatchDelayMs: 100,
      minWorkers: 1,
      maxWorkers: 4,
      responseTimeoutSeconds: 60,
      fromEnv: true,
    });
  });

  it("keeps SAGEMAKER_HANDLER, PYTHONPATH and CA_REPOSITORY_ARN as found", () => {
    expect(
      parseServeEnvironment({
        SAGEMAKER_MULTI_MODEL: "true",
        SAGEMAKER_HANDLER: "/home/model-server/mme_handler_service.py:handle",
        PYTHONPATH: "",
        CA_REPOSITORY_ARN: "arn:aws:codeartifact:my_region:012345678900:repository/my_domain/my_repo",
      }),
    ).toMatchObject({
      sagemakerHandler: "/home/model-server/mme_handler_service.py:handle",
      pythonPath: "",
      caRepositoryArn: "arn:aws:codeartifact:my_region:012345678900:repository/my_domain/my_repo",
    });
    expect(parseServeEnvironment({ CA_REPOSITORY_ARN: "", SAGEMAKER_HANDLER: "" })).toMatchObject({
      caRepositoryArn: undefined,
      sagemakerHandler: "",
    });
    expect(parseServeEnvironment({}).sagemakerHandler).toBeUndefined();
    // An empty one is not checked: it is never substituted (MMS replaces it; TorchServe's config line overrides it).
    expect(
      parseServeEnvironment({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_HANDLER: "" }).sagemakerHandler,
    ).toBe("");
  });

  it("records whether a handler service was set, so each backend can fall back to its own toolkit's", () => {
    expect(parseServeEnvironment({}).handlerServiceSet).toBe(false);
    expect(parseServeEnvironment({ SAGEMAKER_SERVE_HANDLER: "" }).handlerServiceSet).toBe(false);
    expect(parseServeEnvironment({ SAGEMAKER_SERVE_HANDLER: "my.service" }).handlerServiceSet).toBe(true);
  });

  it("checks SAGEMAKER_HANDLER only where MMS substitutes it (multi-model mode)", () => {
    expect(parseServeEnvironment({ SAGEMAKER_HANDLER: "h$ndler" }).sagemakerHandler).toBe("h$ndler");
    expect(problemsOf({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_HANDLER: "h$ndler" })).toEqual([
      "SAGEMAKER_HANDLER",
    ]);
  });
});

describe("ENV_INVALID", () => {
  it("is one ServeError listing every bad variable, in table order, with a hint", () => {
    let caught: unknown;
    try {
      parseServeEnvironment({
        SAGEMAKER_SERVE_LOG_FORMAT: "yaml",
        SAGEMAKER_BIND_TO_PORT: "0",
        SAGEMAKER_STARTUP_TIMEOUT: "soon",
      });
    } catch (error) {
      caught = error;
    }
    expect(isServeError(caught)).toBe(true);
    expect(caught).toBeInstanceOf(EnvInvalidError);
    const error = caught as EnvInvalidError;
    expect(error.code).toBe("ENV_INVALID");
    expect(error.message).toBe(
      "3 environment variables are invalid: " +
        'SAGEMAKER_STARTUP_TIMEOUT: not an integer (got "soon"); ' +
        'SAGEMAKER_BIND_TO_PORT: not a port number 1-65535 (got "0"); ' +
        'SAGEMAKER_SERVE_LOG_FORMAT: must be one of text, json (got "yaml")',
    );
    expect(error.message).not.toContain("\n");
    expect(error.hint).toBe(
      "fix or unset the variables listed; the env-config README gives each variable's format",
    );
    expect(error.problems).toEqual([
      { name: "SAGEMAKER_STARTUP_TIMEOUT", problem: "not an integer", received: '(got "soon")' },
      { name: "SAGEMAKER_BIND_TO_PORT", problem: "not a port number 1-65535", received: '(got "0")' },
      { name: "SAGEMAKER_SERVE_LOG_FORMAT", problem: "must be one of text, json", received: '(got "yaml")' },
    ]);
  });

  it("says 1 variable in the singular", () => {
    expect(() => parseServeEnvironment({ SAGEMAKER_BIND_TO_PORT: "x" })).toThrow(
      '1 environment variable is invalid: SAGEMAKER_BIND_TO_PORT: not a port number 1-65535 (got "x")',
    );
  });

  it("never echoes a value that looks like a credential", () => {
    const secrets = [
      "-Dcodeartifact.url=https://aws:tok3n-abc@domain-0123.d.codeartifact.us-east-1.amazonaws.com\\",
      "-Dpassword=hunter2$",
      "-Dkey=AKIAABCDEFGHIJKLMNOP x",
      "-Dk=Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg x",
    ];
    for (const value of secrets) {
      let caught: unknown;
      try {
        parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_VMARGS: value });
      } catch (error) {
        caught = error;
      }
      const error = caught as EnvInvalidError;
      expect(error.code).toBe("ENV_INVALID");
      expect(error.message).toContain("SAGEMAKER_MODEL_SERVER_VMARGS: ");
      expect(error.message).toContain("(value not shown: it looks like a credential)");
      for (const fragment of [
        "tok3n-abc",
        "hunter2",
        "AKIAABCDEFGHIJKLMNOP",
        "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg",
      ]) {
        expect(error.message).not.toContain(fragment);
        expect(JSON.stringify(error.problems)).not.toContain(fragment);
      }
    }
  });

  it("never echoes a registered secret, even inside a value with another problem", () => {
    registerSecret("zebra-lantern-42");
    let caught: unknown;
    try {
      parseServeEnvironment({ SAGEMAKER_SERVE_PYTHON: "python3\nzebra-lantern-42" });
    } catch (error) {
      caught = error;
    }
    const error = caught as EnvInvalidError;
    expect(error.message).toBe(
      "1 environment variable is invalid: SAGEMAKER_SERVE_PYTHON: contains a line feed (LF) (value not shown: it looks like a credential)",
    );
    expect(JSON.stringify(error.problems)).not.toContain("zebra-lantern-42");
  });

  it("cuts a long value", () => {
    const long = `-D${"x".repeat(200)}\\`;
    expect(() => parseServeEnvironment({ SAGEMAKER_MODEL_SERVER_VMARGS: long })).toThrow(
      `(got ${JSON.stringify(long.slice(0, 80))}... (203 characters))`,
    );
  });

  it("throws TypeError for programmer misuse", () => {
    expect(() => parseServeEnvironment(null as never)).toThrow(TypeError);
    expect(() => parseServeEnvironment({ SAGEMAKER_BIND_TO_PORT: 8080 as never })).toThrow(TypeError);
  });
});

describe("serveEnvironmentSchema", () => {
  it("is a valibot object schema over every variable, with our problem texts as issue messages", () => {
    const good = v.safeParse(serveEnvironmentSchema, { SAGEMAKER_BIND_TO_PORT: "1738", UNRELATED: "x" });
    expect(good.success && good.output.SAGEMAKER_BIND_TO_PORT).toBe(1738);
    const bad = v.safeParse(
      serveEnvironmentSchema,
      { SAGEMAKER_BIND_TO_PORT: "0", SAGEMAKER_SERVE_BACKEND: "x" },
      { abortEarly: false },
    );
    expect(bad.issues?.map((issue) => [v.getDotPath(issue), issue.message])).toEqual([
      ["SAGEMAKER_BIND_TO_PORT", "not a port number 1-65535"],
      ["SAGEMAKER_SERVE_BACKEND", "must be one of auto, mms, torchserve, builtin"],
    ]);
  });
});

describe("parseServeEnvironment: metrics and access-log settings", () => {
  it("reads the metrics listener, access log, /ping sampling and handler-metric cap", () => {
    const settings = parseServeEnvironment({
      SAGEMAKER_SERVE_METRICS_PORT: "9090",
      SAGEMAKER_SERVE_METRICS_ADDRESS: "::",
      SAGEMAKER_SERVE_ACCESS_LOG: "false",
      SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE: "10",
      SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: "500",
    });
    expect(settings).toMatchObject({
      metricsPort: 9090,
      metricsAddress: "::",
      accessLog: false,
      accessLogPingSample: 10,
      handlerMetricsMaxSeries: 500,
    });
    expect(
      parseServeEnvironment({ SAGEMAKER_SERVE_METRICS_PORT: "", SAGEMAKER_SERVE_METRICS_ADDRESS: "" }),
    ).toMatchObject({ metricsPort: undefined, metricsAddress: "127.0.0.1" });
  });

  it("names each bad value", () => {
    expect(() =>
      parseServeEnvironment({
        SAGEMAKER_SERVE_METRICS_PORT: "0",
        SAGEMAKER_SERVE_METRICS_ADDRESS: "localhost",
        SAGEMAKER_SERVE_ACCESS_LOG: "off",
        SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE: "-1",
        SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: "0",
      }),
    ).toThrow(
      [
        '5 environment variables are invalid: SAGEMAKER_SERVE_METRICS_PORT: not a port number 1-65535 (got "0")',
        'SAGEMAKER_SERVE_METRICS_ADDRESS: must be an IPv4 or IPv6 address such as 127.0.0.1 (got "localhost")',
        'SAGEMAKER_SERVE_ACCESS_LOG: must be true or false (got "off")',
        'SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE: must be at least 0 (got "-1")',
        'SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: must be at least 1 (got "0")',
      ].join("; "),
    );
  });
});
