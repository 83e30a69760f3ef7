import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_PYTHON_DIR } from "../src/index.ts";
import { parseHandlerMetricRecords } from "../src/metrics/handler-metric-record.ts";

const run = promisify(execFile);

/** Runs `body` in python3 after making a store for requests r1 and r2 of model "m"; prints what it returns. */
async function python(body: string): Promise<{ result: unknown; log: string }> {
  const script = `
import json, logging, sys
from sagemaker_serve_worker.metrics_export import MetricsStore, Dimension, emit_metrics, export_records
logging.basicConfig(stream=sys.stderr, format="%(message)s", level=logging.INFO)
store = MetricsStore({0: "r1", 1: "r2"}, "m")
def main():
${body
  .trim()
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
print(json.dumps(main()))
`;
  const { stdout, stderr } = await run("python3", ["-c", script], {
    env: { PATH: process.env.PATH, PYTHONPATH: DEFAULT_PYTHON_DIR },
  });
  return { result: JSON.parse(stdout), log: stderr };
}

describe("metrics_export (worker side of handler metrics)", () => {
  it("folds calls like MMS, keeps dimensions and exports records the front end accepts", async () => {
    const { result } = await python(`
dims = [Dimension("Variant", "blue")]
store.add_counter("LoopCount", 1, None, dims)
store.add_counter("LoopCount", 2, None, [Dimension("Variant", "blue")])
store.add_counter("LoopCount", -1, None, [Dimension("Variant", "blue")])
store.add_time("InferenceTime", 12.5, 0, "ms", [{"name": "Stage", "value": "pre"}])
store.add_time("InferenceTime", 14, 0, "ms", [("Stage", "pre")])
store.add_size("SizeOfImage", 2, None, "kB")
store.add_percent("Util", 40)
store.add_error("Failure", "CUDA out of memory")
store.add_metric("DistanceInKM", 3, None, "km")
store.add_metric("Generic", 1)
store.add_metric("NotANumber", "abc")
store.add_metric("Infinite", float("inf"))
return export_records(store)
`);
    expect(result).toEqual([
      {
        name: "LoopCount",
        kind: "counter",
        unit: "count",
        value: 2,
        dimensions: [{ name: "Variant", value: "blue" }],
      },
      {
        name: "InferenceTime",
        kind: "time",
        unit: "ms",
        value: 14,
        dimensions: [{ name: "Stage", value: "pre" }],
      },
      { name: "SizeOfImage", kind: "size", unit: "kB", value: 2, dimensions: [] },
      { name: "Util", kind: "percent", unit: "percent", value: 40, dimensions: [] },
      { name: "Failure", kind: "error", unit: "", value: "CUDA out of memory", dimensions: [] },
      { name: "DistanceInKM", kind: "metric", unit: "km", value: 3, dimensions: [] },
      { name: "Generic", kind: "metric", unit: "", value: 1, dimensions: [] },
    ]);
    expect(parseHandlerMetricRecords(result)).toEqual({ records: result, invalid: 0 });
  });

  it("rejects MMS's invalid units and dimension lists with MMS's errors", async () => {
    const { result } = await python(`
errors = []
for call in (lambda: store.add_time("T", 1, None, "minutes"), lambda: store.add_size("S", 1, None, "TB"),
             lambda: store.add_counter("C", 1, None, Dimension("a", "b"))):
    try:
        call()
    except ValueError as error:
        errors.append(str(error))
return errors
`);
    expect(result).toEqual([
      "the unit for a timed metric should be one of ['ms', 's']",
      "The unit for size based metric is one of ['MB','kB', 'GB', 'B']",
      "Please provide a list of dimensions",
    ]);
  });

  it("writes MMS's [METRICS] lines after the batch", async () => {
    const { log } = await python(`
store.add_time("InferenceTime", 12.5, 1, "ms", [Dimension("Stage", "pre")])
store.add_counter("Hits", 1)
store.add_error("Failure", "boom")
emit_metrics(store)
return None
`);
    const lines = log.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[METRICS\]InferenceTime\.Milliseconds:12\.5\|#Stage:pre,ModelName:m,Level:Model\|#hostname:[^,]+,\d+,r2$/,
    );
    expect(lines[1]).toMatch(
      /^\[METRICS\]Hits\.Count:1\|#ModelName:m,Level:Model\|#hostname:[^,]+,\d+,r1,r2$/,
    );
    expect(lines[2]).toMatch(/^\[METRICS\]Failure\.:boom\|#Level:Error\|#hostname:[^,]+,\d+$/);
  });

  it("also exports the entries of the older store, which kept no dimensions", async () => {
    const { result } = await python(`
from sagemaker_serve_worker.metrics import MetricsStore as OldStore
old = OldStore({0: "r1"}, "m")
old.add_counter("Hits", 2)
old.add_time("T", 5)
old.add_error("E", "text")
return export_records(old)
`);
    expect(result).toEqual([
      { name: "Hits", kind: "counter", unit: "count", value: 2, dimensions: [] },
      { name: "T", kind: "time", unit: "ms", value: 5, dimensions: [] },
      { name: "E", kind: "error", unit: "", value: "text", dimensions: [] },
    ]);
  });
});
