import { describe, expect, it } from "vitest";
import { sanitizeLabelName, snakeCaseMetricName } from "./prometheus-names.ts";

describe("snakeCaseMetricName", () => {
  it("splits camel case and replaces what Prometheus does not allow", () => {
    expect(snakeCaseMetricName("InferenceTime")).toBe("inference_time");
    expect(snakeCaseMetricName("HTTPRequestSize")).toBe("http_request_size");
    expect(snakeCaseMetricName("GPU2Memory")).toBe("gpu2_memory");
    expect(snakeCaseMetricName("my-metric.count")).toBe("my_metric_count");
    expect(snakeCaseMetricName("__x__")).toBe("x");
    expect(snakeCaseMetricName("élan")).toBe("lan");
    expect(snakeCaseMetricName("!!!")).toBe("unnamed");
  });
});

describe("sanitizeLabelName", () => {
  it("follows [a-zA-Z_][a-zA-Z0-9_]* and avoids reserved names", () => {
    expect(sanitizeLabelName("Variant")).toBe("Variant");
    expect(sanitizeLabelName("a-b c")).toBe("a_b_c");
    expect(sanitizeLabelName("1st")).toBe("_1st");
    expect(sanitizeLabelName("")).toBe("_");
    expect(sanitizeLabelName("__name__")).toBe("dim_name__");
    expect(sanitizeLabelName("model")).toBe("dim_model");
    expect(sanitizeLabelName("quantile")).toBe("dim_quantile");
  });
});
