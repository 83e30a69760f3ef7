import { describe, expect, it } from "vitest";
import { HttpError } from "./http-response.ts";
import { parseMultipart } from "./multipart.ts";

const BOUNDARY = "XyZ";

function body(...lines: string[]): Buffer {
  return Buffer.from(lines.join("\r\n"), "latin1");
}

function text(parameters: ReturnType<typeof parseMultipart>) {
  return parameters.map((p) => ({
    name: p.name,
    contentType: p.contentType,
    value: p.value.toString("latin1"),
  }));
}

function catching(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("parseMultipart", () => {
  it("ends a part only at CRLF--boundary: the boundary elsewhere in the content is data", () => {
    const parameters = parseMultipart(
      body(
        "--XyZ",
        'Content-Disposition: form-data; name="a"',
        "",
        "before--XyZ after\n--XyZ\r--XyZ",
        "--XyZ",
        'Content-Disposition: form-data; name="f"; filename="f.txt"',
        "",
        "x--XyZ--",
        "--XyZ--",
        "",
      ),
      BOUNDARY,
    );
    expect(text(parameters)).toEqual([
      { name: "a", contentType: "", value: "before--XyZ after\n--XyZ\r--XyZ" },
      { name: "f", contentType: "application/octet-stream", value: "x--XyZ--" },
    ]);
  });

  it("hands every byte of a plain field and of a file part through unchanged", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const head = (name: string, extra: string) =>
      Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`);
    const parameters = parseMultipart(
      Buffer.concat([
        head("field", ""),
        bytes,
        Buffer.from("\r\n"),
        head("file", '; filename="b.bin"\r\nContent-Type: image/png'),
        bytes,
        Buffer.from("\r\n--XyZ--\r\n"),
      ]),
      BOUNDARY,
    );
    expect(parameters.map((p) => [p.name, p.contentType])).toEqual([
      ["field", ""],
      ["file", "image/png"],
    ]);
    expect(parameters.map((p) => p.value.equals(bytes))).toEqual([true, true]);
  });

  it("keeps a field larger than busboy's default 1 MiB limit whole", () => {
    const big = "v".repeat(3 * 1024 * 1024);
    const parameters = parseMultipart(
      body("--XyZ", 'Content-Disposition: form-data; name="big"', "", big, "--XyZ--", ""),
      BOUNDARY,
    );
    expect(parameters[0]!.value.length).toBe(big.length);
  });

  it.each([
    ["no closing delimiter", body("--XyZ", 'Content-Disposition: form-data; name="a"', "", "unfinished")],
    ["a part header that never ends", body("--XyZ", `X-Long: ${"h".repeat(100_000)}`)],
    [
      "no delimiter before the first part",
      body("preamble", 'Content-Disposition: form-data; name="a"', "", "v", "--XyZ--"),
    ],
  ])("answers a body with %s with 400 BadRequestException", (_, input) => {
    const failure = catching(() => parseMultipart(input, BOUNDARY));
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 400, type: "BadRequestException" });
    expect((failure as HttpError).message).toMatch(/^Invalid multipart\/form-data body: /);
  });
});
