import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { serve } from "./helpers.ts";

/** A raw request: fetch would normalise some of these paths. */
function send(
  port: number,
  method: string,
  path: string,
  body = "",
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode!, json: text === "" ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const NOT_FOUND = {
  code: 404,
  type: "ResourceNotFoundException",
  message: "Requested resource is not found, please refer to API document.",
};
const NOT_ALLOWED = {
  code: 405,
  type: "MethodNotAllowedException",
  message: "Requested method is not allowed, please refer to API document.",
};
const BAD_PATH = {
  code: 400,
  type: "BadRequestException",
  message: "Invalid percent-encoding in the request path.",
};
const NO_MODEL = (name: string) => ({
  code: 404,
  type: "ModelNotFoundException",
  message: `Model not found: ${name}`,
});

describe("routing of a single-model server", () => {
  it("answers every route, method and odd path as MMS does", async () => {
    const { server } = await serve({ modelName: "m" });
    const cases: Array<[method: string, path: string, status: number, body?: object]> = [
      ["GET", "/ping", 200, { status: "Healthy" }],
      ["POST", "/ping", 200, { status: "Healthy" }],
      ["HEAD", "/ping", 200],
      ["GET", "/ping//", 200, { status: "Healthy" }],
      ["PUT", "/ping", 405, NOT_ALLOWED],
      ["GET", "/ping/x", 404, NOT_FOUND],
      ["GET", "/", 404, NOT_FOUND],
      ["GET", "/execution-parameters", 200, { BatchStrategy: "MULTI_RECORD" }],
      ["POST", "/execution-parameters", 405, NOT_ALLOWED],
      ["POST", "/invocations", 200, { echo: "x" }],
      ["POST", "/invocations//", 200, { echo: "x" }],
      ["POST", "/models//m///invoke", 200, { echo: "x" }],
      ["GET", "/invocations", 405, NOT_ALLOWED],
      ["POST", "/predictions/m", 200, { echo: "x" }],
      ["POST", "/predictions/%6D", 200, { echo: "x" }],
      ["GET", "/predictions/m", 405, NOT_ALLOWED],
      ["POST", "/predictions/nope", 404, NO_MODEL("nope")],
      ["POST", "/predictions/%zz", 400, BAD_PATH],
      ["POST", "/m/predict", 200, { echo: "x" }],
      ["GET", "/m/predict", 405, NOT_ALLOWED],
      ["POST", "/ping/predict", 404, NO_MODEL("ping")],
      ["POST", "/%E0%A4%A/predict", 400, BAD_PATH],
      ["GET", "/models", 200, { models: [{ modelName: "m" }] }],
      ["POST", "/models", 405, NOT_ALLOWED],
      ["HEAD", "/models", 405],
      ["GET", "/models/m", 200, { modelName: "m" }],
      ["GET", "/models/predict", 404, NO_MODEL("predict")],
      ["POST", "/models/predict", 405, NOT_ALLOWED],
      ["DELETE", "/models/m", 405, NOT_ALLOWED],
      ["GET", "/models/%zz", 400, BAD_PATH],
      ["POST", "/models/m/invoke", 200, { echo: "x" }],
      ["GET", "/models/m/invoke", 405, NOT_ALLOWED],
      ["POST", "/models/m/other", 404, NOT_FOUND],
      ["POST", "/models/m/invoke/more", 404, NOT_FOUND],
    ];
    const answers = [];
    for (const [method, path] of cases)
      answers.push(await send(server.port, method, path, method === "POST" ? "x" : ""));
    answers.forEach((answer, index) => {
      const [method, path, status, body] = cases[index]!;
      expect({ method, path, status: answer.status }, JSON.stringify(answer.json)).toEqual({
        method,
        path,
        status,
      });
      if (body !== undefined) expect(answer.json, `${method} ${path}`).toMatchObject(body);
    });
  });

  it("answers 400 with MMS's error body to a malformed multipart body and keeps serving", async () => {
    const { url } = await serve();
    const res = await fetch(url("/invocations"), {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing delimiter',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 400,
      type: "BadRequestException",
      message: expect.stringMatching(/^Invalid multipart\/form-data body: /) as unknown,
    });
    expect((await fetch(url("/invocations"), { method: "POST", body: "after" })).status).toBe(200);
  });
});
