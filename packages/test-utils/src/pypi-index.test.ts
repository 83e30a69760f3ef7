import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import {
  makeSelfSignedCertificate,
  normalizeProjectName,
  startPypiIndex,
  type PypiIndex,
} from "./pypi-index.ts";
import { useTempDir } from "./temp-dir.ts";
import { writeWheel } from "./wheel.ts";

let index: PypiIndex | undefined;
afterEach(async () => {
  await index?.close();
  index = undefined;
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("startPypiIndex", () => {
  it("serves PEP 503 pages and files, demanding Basic auth when told", async () => {
    const wheel = await writeWheel({ dir: await useTempDir(), name: "Tiny_Pkg", version: "0.1.0" });
    index = await startPypiIndex({
      wheels: [wheel],
      basePath: "/pypi/r1/simple/",
      auth: { username: "aws", password: "tok-123456" },
    });
    expect(index.url).toBe(`${index.origin}/pypi/r1/simple/`);

    const anonymous = await fetch(`${index.url}tiny-pkg/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="pypi"');
    const wrong = await fetch(`${index.url}tiny-pkg/`, { headers: { authorization: basic("aws", "nope") } });
    expect(wrong.status).toBe(401);

    const page = await fetch(`${index.url}tiny-pkg/`, {
      headers: { authorization: basic("aws", "tok-123456") },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<a href="/files/${wheel.filename}#sha256=${wheel.sha256}">${wheel.filename}</a>`);
    const file = await fetch(`${index.origin}/files/${wheel.filename}`, {
      headers: { authorization: basic("aws", "tok-123456") },
    });
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 4)
        .toString("latin1"),
    ).toBe("PK\u0003\u0004");
    expect(index.requests.map((r) => [r.path, r.status, r.credentials?.password])).toEqual([
      ["/pypi/r1/simple/tiny-pkg/", 401, undefined],
      ["/pypi/r1/simple/tiny-pkg/", 401, "nope"],
      ["/pypi/r1/simple/tiny-pkg/", 200, "tok-123456"],
      [`/files/${wheel.filename}`, 200, "tok-123456"],
    ]);
  });

  it("serves HTTPS with a self-signed certificate for 127.0.0.1", async () => {
    const tls = await makeSelfSignedCertificate(await useTempDir());
    index = await startPypiIndex({ tls });
    expect(index.url.startsWith("https://127.0.0.1:")).toBe(true);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(index!.url, { ca: tls.cert }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
    expect(await readFile(tls.certPath, "utf8")).toBe(tls.cert);
  });

  it("normalises project names as PEP 503 says", () => {
    expect(normalizeProjectName("Foo.Bar__baz-Qux")).toBe("foo-bar-baz-qux");
  });
});
