import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { serve } from "./helpers.ts";

const EXAMPLE = fileURLToPath(new URL("../../../examples/echo/model", import.meta.url));

describe("examples/echo/model", () => {
  it("answers the README's curl lines", async () => {
    const { url } = await serve({
      modelDir: EXAMPLE,
      handlerService: "sagemaker_inference.default_handler_service",
    });
    expect(await (await fetch(url("/ping"))).json()).toEqual({ status: "Healthy" });
    const json = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"inputs": [1, 2, 3]}',
    });
    expect(await json.json()).toEqual({
      model: "echo",
      version: 1,
      received: { inputs: [1, 2, 3] },
      scaled: { inputs: [2, 4, 6] },
    });
    const csv = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "Content-Type": "text/csv", Accept: "text/csv" },
      body: "1,2,3\n4,5,6",
    });
    expect(await csv.text()).toBe("2.0,4.0,6.0\n8.0,10.0,12.0\n");
    const xml = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "Content-Type": "application/xml" },
      body: "<x/>",
    });
    expect(xml.status).toBe(500);
    expect(await xml.text()).toContain("unsupported content type: application/xml");
  });
});
