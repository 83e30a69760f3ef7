import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, type TempDir } from "@sagemaker-serve/test-utils";
import {
  DEFAULT_TS_TEMPLATE,
  EnvInvalidError,
  parseServeEnvironment,
  renderMmsConfig,
  renderTorchServeConfig,
  TS_DEFAULT_HANDLER_SERVICE,
  type ServeSettings,
} from "../src/index.ts";

// Every rendered config is read back by java.util.Properties in ONE JVM run (each start costs about a second).
const READER = fileURLToPath(new URL("./fixtures/ReadProperties.java", import.meta.url));

type Properties = Record<string, string>;
interface Case {
  text: string;
  expected: Properties;
  /** vmargs as the MMS launcher's own `key=value` parser must see it. */
  launcherVmargs?: string;
}

const MMS_SINGLE: Properties = {
  enable_envvars_config: "true",
  decode_input_request: "false",
  load_models: "ALL",
};
const MMS_MME: Properties = {
  enable_envvars_config: "true",
  model_store: "/",
  default_service_handler: "$$SAGEMAKER_HANDLER$$",
  default_workers_per_model: "1",
  async_logging: "true",
  decode_input_request: "false",
};
const TS_SINGLE: Properties = {
  vmargs: "-XX:-UseContainerSupport",
  enable_envvars_config: "true",
  decode_input_request: "false",
  load_models: "ALL",
  disable_token_authorization: "true",
  enable_model_api: "true",
};
const { load_models: _singleModelOnly, ...TS_COMMON } = TS_SINGLE;
const TS_MME: Properties = {
  ...TS_COMMON,
  model_store: "/",
  default_service_handler: "$$SAGEMAKER_HANDLER$$",
  default_workers_per_model: "1",
  async_logging: "true",
};
const HANDLER = "sagemaker_inference.default_handler_service";
const addresses = (port: number): Properties => ({
  inference_address: `http://0.0.0.0:${port}`,
  management_address: `http://0.0.0.0:${port}`,
});
const MMS_DEFAULTS: Properties = {
  ...MMS_SINGLE,
  default_response_timeout: "60",
  ...addresses(8080),
  vmargs: "-XX:-UseContainerSupport",
  default_service_handler: HANDLER,
};
const TS_DEFAULTS: Properties = {
  ...TS_SINGLE,
  default_response_timeout: "60",
  ...addresses(8080),
  default_service_handler: `${TS_DEFAULT_HANDLER_SERVICE}:handle`,
};

const cases = new Map<string, Case>();
function addCase(name: string, text: string, expected: Properties, launcherVmargs?: string): void {
  cases.set(`${String(cases.size).padStart(4, "0")}-${name}.properties`, { text, expected, launcherVmargs });
}
const settingsOf = (env: Record<string, string>): ServeSettings => parseServeEnvironment(env);

// Normal values.
addCase("mms-defaults", renderMmsConfig(settingsOf({})), MMS_DEFAULTS, "-XX:-UseContainerSupport");
addCase(
  "mms-mme",
  renderMmsConfig(settingsOf({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_MODEL_SERVER_WORKERS: "4" })),
  {
    ...MMS_MME,
    default_response_timeout: "60",
    default_workers_per_model: "4",
    ...addresses(8080),
    vmargs: "-XX:-UseContainerSupport",
  },
  "-XX:-UseContainerSupport",
);
addCase(
  "mms-all-knobs",
  renderMmsConfig(
    settingsOf({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "20",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "30",
      SAGEMAKER_MODEL_SERVER_WORKERS: "8",
      SAGEMAKER_BIND_TO_PORT: "1738",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "10",
      SAGEMAKER_MODEL_SERVER_VMARGS: "-Xmx2g -XX:+UseG1GC",
    }),
  ),
  {
    ...MMS_SINGLE,
    default_response_timeout: "20",
    default_workers_per_model: "8",
    ...addresses(1738),
    vmargs: "-Xmx2g -XX:+UseG1GC",
    max_request_size: "10485760",
    default_service_handler: HANDLER,
    default_response_timeout_seconds: "30",
  },
  "-Xmx2g -XX:+UseG1GC",
);
addCase(
  "mms-extremes",
  renderMmsConfig(
    settingsOf({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "2147483647",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "2147483647",
      SAGEMAKER_MODEL_SERVER_WORKERS: "0",
      SAGEMAKER_BIND_TO_PORT: "65535",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "2047",
      SAGEMAKER_MODEL_SERVER_VMARGS: "",
    }),
  ),
  {
    ...MMS_SINGLE,
    default_response_timeout: "2147483647",
    default_workers_per_model: "0",
    ...addresses(65535),
    max_request_size: "2146435072",
    default_service_handler: HANDLER,
    default_response_timeout_seconds: "2147483647",
  },
);
addCase("ts-defaults", renderTorchServeConfig(settingsOf({})), TS_DEFAULTS, "-XX:-UseContainerSupport");
addCase(
  "ts-mme",
  renderTorchServeConfig(settingsOf({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_BIND_TO_PORT: "1" }), {
    handler: "/opt/h.py",
  }),
  { ...TS_MME, default_response_timeout: "60", ...addresses(1), default_service_handler: "/opt/h.py:handle" },
);
addCase(
  "ts-models",
  renderTorchServeConfig(
    settingsOf({
      SAGEMAKER_TS_BATCH_SIZE: "4",
      SAGEMAKER_TS_MAX_BATCH_DELAY: "250",
      SAGEMAKER_TS_MIN_WORKERS: "2",
      SAGEMAKER_TS_MAX_WORKERS: "3",
      SAGEMAKER_TS_RESPONSE_TIMEOUT: "90",
      SAGEMAKER_MODEL_SERVER_WORKERS: "2",
    }),
  ),
  {
    ...TS_DEFAULTS,
    default_workers_per_model: "2",
    models:
      '{"model": {"1.0": {"defaultVersion": true,"marName": "model.mar","minWorkers": 2,"maxWorkers": 3,' +
      '"batchSize": 4,"maxBatchDelay": 250,"responseTimeout": 90}}}',
  },
);

// The PyTorch toolkit's own output (template without a final newline, keys glued on): what our newline fixes.
addCase("ts-toolkit-glued", `${DEFAULT_TS_TEMPLATE}default_response_timeout=60\n`, {
  ...TS_SINGLE,
  enable_model_api: "truedefault_response_timeout=60",
});

// Hostile values: every candidate that validation lets through must read back exactly.
const FRAGMENTS = [
  "",
  "\\",
  "\\\\",
  "\n",
  "\r",
  "\r\n",
  "\u0000",
  "\t",
  "\f",
  "\u000b",
  "\u007f",
  "\u0085",
  "\u2028",
  "$",
  "$$HOME$$",
  "$1",
  "#",
  "!",
  "=",
  ":",
  " ",
  "  ",
  "é",
  "\u00ff",
  "\\u000a",
  "\\n",
  "'",
  '"',
  "%s",
  "{",
  "}",
  "a b",
  "-",
  "=x:y",
];
const rejected = { vmargs: 0, handler: 0, workers: 0, port: 0 };
const accepted = { vmargs: 0, handler: 0, workers: 0, port: 0 };
function tryEnv(kind: keyof typeof accepted, env: Record<string, string>): ServeSettings | undefined {
  try {
    const settings = parseServeEnvironment(env);
    accepted[kind] += 1;
    return settings;
  } catch (error) {
    if (!(error instanceof EnvInvalidError)) throw error;
    rejected[kind] += 1;
    return undefined;
  }
}
for (const a of FRAGMENTS) {
  for (const b of FRAGMENTS) {
    for (const vmargs of [`-Dk=${a}v${b}`, `${a}-D${b}`, `-Xmx1g${a}-Dq=${b}`]) {
      const settings = tryEnv("vmargs", { SAGEMAKER_MODEL_SERVER_VMARGS: vmargs });
      if (settings) {
        const intended = vmargs.trim();
        addCase("vmargs", renderMmsConfig(settings), { ...MMS_DEFAULTS, vmargs: intended }, intended);
      }
    }
    for (const handler of [`pkg${a}mod${b}`, `${a}pkg${b}`]) {
      const handlerSettings = tryEnv("handler", { SAGEMAKER_SERVE_HANDLER: handler });
      if (handlerSettings) {
        addCase("handler-mms", renderMmsConfig(handlerSettings), {
          ...MMS_DEFAULTS,
          default_service_handler: handler,
        });
        addCase("handler-ts", renderTorchServeConfig(handlerSettings), {
          ...TS_DEFAULTS,
          default_service_handler: /:[A-Za-z_][A-Za-z0-9_]*$/.test(handler) ? handler : `${handler}:handle`,
        });
      }
    }
    const workers = `${a}1${b}`;
    const workerSettings = tryEnv("workers", { SAGEMAKER_MODEL_SERVER_WORKERS: workers });
    if (workerSettings) {
      addCase("workers", renderMmsConfig(workerSettings), {
        ...MMS_DEFAULTS,
        default_workers_per_model: workers,
      });
    }
    const port = `${a}80${b}`;
    const portSettings = tryEnv("port", { SAGEMAKER_BIND_TO_PORT: port });
    if (portSettings) {
      addCase("port", renderMmsConfig(portSettings), { ...MMS_DEFAULTS, ...addresses(Number(port)) });
    }
  }
}

/** The MMS launcher's own parser (mms/model_server.py load_properties): strip, skip `#`, split at the first `=`. */
function launcherProperties(text: string): Properties {
  const props: Properties = {};
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line.startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at !== -1) props[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return props;
}

let dir: TempDir;
let javaRead: Record<string, Properties>;

beforeAll(async () => {
  dir = await makeTempDir({ prefix: "env-config-java-" });
  await Promise.all([...cases].map(([file, { text }]) => writeFile(`${dir.path}/${file}`, text, "latin1")));
  const { stdout } = await promisify(execFile)("java", [READER, dir.path], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  javaRead = JSON.parse(stdout) as Record<string, Properties>;
}, 150_000);

afterAll(async () => {
  await dir?.cleanup();
});

describe("every rendered config read back by java.util.Properties", () => {
  it("Java read every file", () => {
    expect(Object.keys(javaRead).sort()).toEqual([...cases.keys()].sort());
  });

  it("normal configs give exactly the intended key/value sets", () => {
    for (const [file, { expected }] of cases) {
      if (/-(mms|ts)-/.test(file)) expect({ file, read: javaRead[file] }).toEqual({ file, read: expected });
    }
  });

  it("the toolkit's glued TorchServe output loses default_response_timeout (the bug we fix)", () => {
    const [file] = [...cases.keys()].filter((name) => name.endsWith("ts-toolkit-glued.properties"));
    expect(javaRead[file as string]).not.toHaveProperty("default_response_timeout");
    expect(javaRead[file as string]?.enable_model_api).toBe("truedefault_response_timeout=60");
  });

  it("hostile values that validation lets through read back exactly, in Java and in the MMS launcher's parser", () => {
    for (const [file, { expected, text, launcherVmargs }] of cases) {
      expect({ file, read: javaRead[file] }).toEqual({ file, read: expected });
      if (launcherVmargs !== undefined)
        expect({ file, vmargs: launcherProperties(text).vmargs }).toEqual({ file, vmargs: launcherVmargs });
      if (!file.endsWith("ts-toolkit-glued.properties")) {
        const substituted = Object.entries(javaRead[file] ?? {}).filter(([, value]) => value.includes("$"));
        expect(
          substituted.every(
            ([key, value]) => key === "default_service_handler" && value === "$$SAGEMAKER_HANDLER$$",
          ),
        ).toBe(true);
      }
    }
  });

  it("the hostile sweep both accepted and rejected candidates of every kind", () => {
    for (const kind of ["vmargs", "handler", "workers", "port"] as const) {
      expect({ kind, accepted: accepted[kind] > 0, rejected: rejected[kind] > 0 }).toEqual({
        kind,
        accepted: true,
        rejected: true,
      });
    }
    expect(cases.size).toBeGreaterThan(100);
  });
});
