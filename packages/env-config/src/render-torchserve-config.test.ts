import { describe, expect, it } from "vitest";
import { parseServeEnvironment } from "./parse-serve-environment.ts";
import { renderTorchServeConfig } from "./render-torchserve-config.ts";
import { DEFAULT_TS_TEMPLATE, MME_TS_TEMPLATE } from "./templates.ts";

const render = (env: Record<string, string>, handler?: string) =>
  renderTorchServeConfig(parseServeEnvironment(env), handler === undefined ? {} : { handler });

describe("renderTorchServeConfig", () => {
  it("single model, nothing set: the PyTorch toolkit's template, our newline, then its keys", () => {
    expect(render({})).toBe(
      "# Based on https://github.com/pytorch/serve/blob/master/docs/configuration.md\n" +
        "vmargs=-XX:-UseContainerSupport\n" +
        "enable_envvars_config=true\n" +
        "decode_input_request=false\n" +
        "load_models=ALL\n" +
        "disable_token_authorization=true\n" +
        "enable_model_api=true\n" +
        "default_response_timeout=60\n" +
        "inference_address=http://0.0.0.0:8080\n" +
        "management_address=http://0.0.0.0:8080\n" +
        "default_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\n",
    );
  });

  it("fixes the toolkit's glued line: the template's last key keeps its value", () => {
    expect(DEFAULT_TS_TEMPLATE.endsWith("enable_model_api=true")).toBe(true);
    const text = render({});
    expect(text).toContain("\nenable_model_api=true\ndefault_response_timeout=60\n");
    expect(text).not.toContain("truedefault_response_timeout");
  });

  it("multi-model: the MME template, and the handler line still appended (it overrides $$SAGEMAKER_HANDLER$$)", () => {
    expect(render({ SAGEMAKER_MULTI_MODEL: "true" }, "/opt/ml/code/handler_service.py")).toBe(
      MME_TS_TEMPLATE +
        "\n" +
        "default_response_timeout=60\n" +
        "inference_address=http://0.0.0.0:8080\n" +
        "management_address=http://0.0.0.0:8080\n" +
        "default_service_handler=/opt/ml/code/handler_service.py:handle\n",
    );
  });

  it("all the knobs: workers, port, timeout; no vmargs, max_request_size or _seconds keys", () => {
    const text = render({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: "20",
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "30",
      SAGEMAKER_MODEL_SERVER_WORKERS: "0",
      SAGEMAKER_BIND_TO_PORT: "1738",
      SAGEMAKER_MAX_PAYLOAD_IN_MB: "10",
      SAGEMAKER_MODEL_SERVER_VMARGS: "-Xmx2g",
    });
    expect(text).toBe(
      DEFAULT_TS_TEMPLATE +
        "\n" +
        "default_response_timeout=20\n" +
        "default_workers_per_model=0\n" +
        "inference_address=http://0.0.0.0:1738\n" +
        "management_address=http://0.0.0.0:1738\n" +
        "default_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\n",
    );
  });

  it("SAGEMAKER_TS_* set, single model: appends the toolkit's models= blob with its continuations", () => {
    const text = render({
      SAGEMAKER_TS_BATCH_SIZE: "4",
      SAGEMAKER_TS_MAX_BATCH_DELAY: "250",
      SAGEMAKER_TS_MIN_WORKERS: "2",
      SAGEMAKER_TS_MAX_WORKERS: "3",
      SAGEMAKER_TS_RESPONSE_TIMEOUT: "90",
    });
    expect(
      text.endsWith(
        "default_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\n" +
          "models={\\\n" +
          '        "model": {\\\n' +
          '            "1.0": {\\\n' +
          '                "defaultVersion": true,\\\n' +
          '                "marName": "model.mar",\\\n' +
          '                "minWorkers": 2,\\\n' +
          '                "maxWorkers": 3,\\\n' +
          '                "batchSize": 4,\\\n' +
          '                "maxBatchDelay": 250,\\\n' +
          '                "responseTimeout": 90\\\n' +
          "                }\\\n" +
          "            }\\\n" +
          "        }\n",
      ),
    ).toBe(true);
  });

  it("SAGEMAKER_TS_* in multi-model mode: no models= line, as in the toolkit", () => {
    expect(render({ SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_TS_BATCH_SIZE: "4" })).not.toContain("models=");
  });

  it("byte for byte the PyTorch toolkit's output for every input, up to the newline we add after the template", () => {
    // _generate_ts_config_properties: template + "key=value\n" for each truthy value, in its order.
    const toolkit = (template: string, entries: [string, string | undefined][]) =>
      template + entries.flatMap(([key, value]) => (value ? [`${key}=${value}\n`] : [])).join("");
    const handler = "sagemaker_pytorch_serving_container.handler_service:handle";
    const cases: [Record<string, string>, string][] = [
      [{}, toolkit(DEFAULT_TS_TEMPLATE, [["default_response_timeout", "60"]])],
      [
        {
          SAGEMAKER_MODEL_SERVER_TIMEOUT: "0",
          SAGEMAKER_MODEL_SERVER_WORKERS: "4",
          SAGEMAKER_BIND_TO_PORT: "9000",
        },
        toolkit(DEFAULT_TS_TEMPLATE, [
          ["default_response_timeout", undefined],
          ["default_workers_per_model", "4"],
        ]),
      ],
      [
        { SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_HANDLER: "" },
        toolkit(MME_TS_TEMPLATE, [["default_response_timeout", "60"]]),
      ],
    ];
    for (const [env, expected] of cases) {
      const port = env.SAGEMAKER_BIND_TO_PORT ?? "8080";
      const tail = `inference_address=http://0.0.0.0:${port}\nmanagement_address=http://0.0.0.0:${port}\ndefault_service_handler=${handler}\n`;
      const withFix = expected.replace(/(enable_model_api=true)/, "$1\n") + tail;
      expect(render(env)).toBe(withFix);
    }
    expect(DEFAULT_TS_TEMPLATE.split("\n")[0]).toBe(
      "# Based on https://github.com/pytorch/serve/blob/master/docs/configuration.md",
    );
    expect(MME_TS_TEMPLATE.startsWith("vmargs=")).toBe(true);
  });

  it("the PyTorch toolkit's handler service by default; a set SAGEMAKER_SERVE_HANDLER wins", () => {
    expect(render({})).toContain(
      "\ndefault_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\n",
    );
    expect(render({ SAGEMAKER_SERVE_HANDLER: "" })).toContain(
      "\ndefault_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\n",
    );
    expect(render({ SAGEMAKER_SERVE_HANDLER: "sagemaker_inference.default_handler_service" })).toContain(
      "\ndefault_service_handler=sagemaker_inference.default_handler_service:handle\n",
    );
  });

  it("a handler that already names its function is not given a second :handle", () => {
    expect(render({}, "/opt/x.py:predict")).toContain("\ndefault_service_handler=/opt/x.py:predict\n");
  });

  it("refuses a handler that would inject a line", () => {
    expect(() => render({}, "h\nmodel_store=/tmp/evil")).toThrow(
      'cannot write default_service_handler to the TorchServe config: contains a line feed (LF) (got "h\\nmodel_store=/tmp/evil")',
    );
  });

  it("passes SAGEMAKER_SERVE_METRICS_PORT/_ADDRESS as metrics_address, and writes none when the port is unset", () => {
    expect(render({ SAGEMAKER_SERVE_METRICS_PORT: "9100" })).toContain(
      "default_service_handler=sagemaker_pytorch_serving_container.handler_service:handle\nmetrics_address=http://127.0.0.1:9100\n",
    );
    expect(
      render({ SAGEMAKER_SERVE_METRICS_PORT: "9100", SAGEMAKER_SERVE_METRICS_ADDRESS: "::1" }),
    ).toContain("metrics_address=http://[::1]:9100\n");
    expect(render({ SAGEMAKER_SERVE_METRICS_ADDRESS: "0.0.0.0" })).not.toContain("metrics_address");
  });
});
