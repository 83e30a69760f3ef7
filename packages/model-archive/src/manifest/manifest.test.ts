import { describe, expect, it } from "vitest";
import {
  formatCreatedOn,
  renderMmsManifest,
  renderTorchServeManifest,
  TORCHSERVE_ARCHIVER_VERSION,
} from "./manifest.ts";
import { pythonJsonDumps } from "./python-json.ts";

describe("manifests (TestGenerateManifestProps)", () => {
  it("MMS: exact bytes of model-archiver 1.0.4", () => {
    expect(renderMmsManifest({ modelName: "m1", handler: "service:handle", runtime: "python" })).toBe(
      '{\n  "runtime": "python",\n  "model": {\n    "modelName": "m1",\n    "handler": "service:handle"\n  },\n  "modelServerVersion": "1.0",\n  "implementationVersion": "1.0",\n  "specificationVersion": "1.0"\n}',
    );
  });

  it("MMS: publisher, engine and a verbatim handler; no license", () => {
    const text = renderMmsManifest({
      modelName: "my-model",
      handler: "a.py::my-awesome-func",
      runtime: "python",
      engine: { engineName: "MXNet" },
      publisher: { author: "ABC", email: "ABC@XYZ.com" },
    });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      "runtime",
      "model",
      "engine",
      "modelServerVersion",
      "implementationVersion",
      "specificationVersion",
      "publisher",
    ]);
    expect(parsed).toMatchObject({
      runtime: "python",
      model: { modelName: "my-model", handler: "a.py::my-awesome-func" },
      engine: { engineName: "MXNet" },
      publisher: { author: "ABC", email: "ABC@XYZ.com" },
    });
    expect(parsed).not.toHaveProperty("license");
  });

  it("MMS: an empty handler is written (the Python tool accepts it)", () => {
    expect(JSON.parse(renderMmsManifest({ modelName: "m", handler: "", runtime: "python3" })).model).toEqual({
      modelName: "m",
      handler: "",
    });
  });

  it("TorchServe: keys only when truthy, createdOn in %d/%m/%Y %H:%M:%S, no license", () => {
    const text = renderTorchServeManifest({
      modelName: "t1",
      handler: "image_classifier",
      runtime: "python",
      modelVersion: "2.0",
      createdOn: new Date(2026, 0, 5, 3, 4, 5),
    });
    expect(text).toBe(
      `{\n  "createdOn": "05/01/2026 03:04:05",\n  "runtime": "python",\n  "model": {\n    "modelName": "t1",\n    "handler": "image_classifier",\n    "modelVersion": "2.0"\n  },\n  "archiverVersion": "${TORCHSERVE_ARCHIVER_VERSION}"\n}`,
    );
    expect(formatCreatedOn(new Date(2026, 10, 25, 21, 7, 31))).toBe("25/11/2026 21:07:31");
  });

  it("json.dumps escaping: non-ASCII as lowercase \\uXXXX, astral as surrogate pairs, controls like Python", () => {
    expect(pythonJsonDumps({ a: "é€😀", b: "\n\t\u0001\u007f" })).toBe(
      '{\n  "a": "\\u00e9\\u20ac\\ud83d\\ude00",\n  "b": "\\n\\t\\u0001\u007f"\n}',
    );
    expect(pythonJsonDumps({})).toBe("{}");
  });
});
