import { describe, expect, it } from "vitest";
import { isServeError } from "@sagemaker-serve/errors";
import { parseServeEnvironment } from "./parse-serve-environment.ts";
import { renderMmsConfig } from "./render-mms-config.ts";
import { DEFAULT_MMS_TEMPLATE, MME_MMS_TEMPLATE } from "./templates.ts";

const render = (env: Record<string, string>, handler?: string) =>
  renderMmsConfig(parseServeEnvironment(env), handler === undefined ? {} : { handler });

describe("renderMmsConfig: toolkit-behaviour.md §2.5 worked examples, byte for byte", () => {
  it("single model, nothing set, default handler", () => {
    expect(render({})).toBe(
      "# Based on: https://github.com/awslabs/multi-model-server/blob/master/docs/configuration.md\n" +
        "enable_envvars_config=true\n" +
        "decode_input_request=false\n" +
        "load_models=ALL\n" +
        "default_response_timeout=60\n" +
        "inference_address=http://0.0.0.0:8080\n" +
        "management_address=http://0.0.0.0:8080\n" +
        "vmargs=-XX:-UseContainerSupport\n" +
        "default_service_handler=sagemaker_inference.default_handler_service\n",
    );
  });

  it("multi-model, nothing else set: the 6 MME template lines, no handler line", () => {
    expect(render({ SAGEMAKER_MULTI_MODEL: "true" })).toBe(
      "enable_envvars_config=true\n" +
        "model_store=/\n" +
        "default_service_handler=$$SAGEMAKER_HANDLER$$\n" +
        "default_workers_per_model=1\n" +
        "async_logging=true\n" +
        "decode_input_request=false\n" +
        "default_response_timeout=60\n" +
        "inference_address=http://0.0.0.0:8080\n" +
        "management_address=http://0.0.0.0:8080\n" +
        "vmargs=-XX:-UseContainerSupport\n",
    );
  });

  it("all the knobs, single model", () => {
    const text = render({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "20",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "30",
      SAGEMAKER_MODEL_SERVER_WORKERS: "8",
      SAGEMAKER_BIND_TO_PORT: "1738",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "10",
    });
    expect(text).toBe(
      DEFAULT_MMS_TEMPLATE +
        "default_response_timeout=20\n" +
        "default_workers_per_model=8\n" +
        "inference_address=http://0.0.0.0:1738\n" +
        "management_address=http://0.0.0.0:1738\n" +
        "vmargs=-XX:-UseContainerSupport\n" +
        "max_request_size=10485760\n" +
        "default_service_handler=sagemaker_inference.default_handler_service\n" +
        "default_response_timeout_seconds=30\n",
    );
  });
});

describe("renderMmsConfig: checklist items 6-13", () => {
  it("6: template first, then the keys in the toolkit's order", () => {
    const text = render({
      SAGEMAKER_MODEL_SERVER_WORKERS: "2",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "1",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "5",
    });
    expect(text.startsWith(DEFAULT_MMS_TEMPLATE)).toBe(true);
    const keys = text
      .slice(DEFAULT_MMS_TEMPLATE.length)
      .trimEnd()
      .split("\n")
      .map((line) => line.split("=")[0]);
    expect(keys).toEqual([
      "default_response_timeout",
      "default_workers_per_model",
      "inference_address",
      "management_address",
      "vmargs",
      "max_request_size",
      "default_service_handler",
      "default_response_timeout_seconds",
    ]);
  });

  it('7: falsy values give no line; the workers string "0" does; unset workers never print None', () => {
    const zeroes = render({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "0",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "0",
      SAGEMAKER_MODEL_SERVER_VMARGS: "",
      SAGEMAKER_MODEL_SERVER_WORKERS: "",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "0",
    });
    expect(zeroes).toBe(
      DEFAULT_MMS_TEMPLATE +
        "inference_address=http://0.0.0.0:8080\n" +
        "management_address=http://0.0.0.0:8080\n" +
        "default_service_handler=sagemaker_inference.default_handler_service\n",
    );
    expect(render({ SAGEMAKER_MODEL_SERVER_WORKERS: "0" })).toContain("\ndefault_workers_per_model=0\n");
    expect(render({})).not.toContain("default_workers_per_model");
    expect(render({})).not.toContain("None");
  });

  it("8: defaults", () => {
    const text = render({});
    expect(text).toContain("\ndefault_response_timeout=60\n");
    expect(text).toContain(
      "\ninference_address=http://0.0.0.0:8080\nmanagement_address=http://0.0.0.0:8080\n",
    );
    expect(text).toContain("\nvmargs=-XX:-UseContainerSupport\n");
    expect(text).not.toContain("max_request_size");
    expect(text).not.toContain("default_response_timeout_seconds");
  });

  it("9: the bind port sets both addresses; the safe port range changes nothing", () => {
    const text = render({ SAGEMAKER_BIND_TO_PORT: "1738" });
    expect(text).toContain("inference_address=http://0.0.0.0:1738\nmanagement_address=http://0.0.0.0:1738\n");
    expect(render({ SAGEMAKER_SAFE_PORT_RANGE: "1111-2222" })).toBe(render({}));
  });

  it("10: SAGEMAKER_MAX_PAYLOAD_IN_MB=10 gives max_request_size=10485760", () => {
    expect(render({ SAGEMAKER_MAX_PAYLOAD_IN_MB: "10" })).toContain("\nmax_request_size=10485760\n");
  });

  it("11: timeout seconds is the last line; 0 gives none", () => {
    expect(
      render({ SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "30" }).endsWith(
        "\ndefault_response_timeout_seconds=30\n",
      ),
    ).toBe(true);
    expect(render({ SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "0" })).not.toContain(
      "default_response_timeout_seconds",
    );
  });

  it("12: single model ends with the handler (passed through as given); MME has only the template's", () => {
    expect(
      render({}).endsWith("\ndefault_service_handler=sagemaker_inference.default_handler_service\n"),
    ).toBe(true);
    expect(render({}, "/home/model-server/my_service.py:handle")).toContain(
      "\ndefault_service_handler=/home/model-server/my_service.py:handle\n",
    );
    const mme = render({ SAGEMAKER_MULTI_MODEL: "true" }, "custom.handler");
    expect(mme.match(/default_service_handler=/g)).toHaveLength(1);
    expect(mme).toContain("default_service_handler=$$SAGEMAKER_HANDLER$$\n");
  });

  it("13: the template is the single-model one unless multi-model is on", () => {
    expect(render({ SAGEMAKER_MULTI_MODEL: "True" }).startsWith(DEFAULT_MMS_TEMPLATE)).toBe(true);
    expect(render({ SAGEMAKER_MULTI_MODEL: "true" }).startsWith(MME_MMS_TEMPLATE)).toBe(true);
  });
});

describe("renderMmsConfig refuses values that would not read back", () => {
  it.each([
    [
      "a handler with a newline",
      (s: ReturnType<typeof parseServeEnvironment>) =>
        renderMmsConfig(s, { handler: "h\nplugins_path=/tmp/evil" }),
    ],
    [
      "vmargs with a trailing backslash",
      (s: ReturnType<typeof parseServeEnvironment>) => renderMmsConfig({ ...s, vmargs: "-Xmx1g\\" }),
    ],
    [
      "a port out of range",
      (s: ReturnType<typeof parseServeEnvironment>) => renderMmsConfig({ ...s, bindPort: 70000 }),
    ],
    [
      "workers with a dollar",
      (s: ReturnType<typeof parseServeEnvironment>) => renderMmsConfig({ ...s, modelServerWorkers: "$$X$$" }),
    ],
  ])("%s throws CONFIG_VALUE_INVALID", (_name, call) => {
    const settings = parseServeEnvironment({});
    let caught: unknown;
    try {
      call(settings);
    } catch (error) {
      caught = error;
    }
    expect(isServeError(caught) && caught.code).toBe("CONFIG_VALUE_INVALID");
  });

  it("names the key and the value in the message", () => {
    expect(() => renderMmsConfig({ ...parseServeEnvironment({}), vmargs: "-Xmx1g\\" })).toThrow(
      'cannot write vmargs to the MMS config: ends with a backslash, which would join the next line of the properties file into this value (got "-Xmx1g\\\\")',
    );
  });
});
