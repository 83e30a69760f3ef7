import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runInThisContext } from "node:vm";
import { brotliDecompress } from "node:zlib";

const decompress = promisify(brotliDecompress);

/**
 * Evaluates an embedded chunk: a CommonJS bundle that scripts/build.mjs compressed (brotli) and embedded as
 * base64. Keeping rarely used, large dependencies (the AWS SDK, pip-install, the archive libraries, the
 * built-in server) out of the main module means V8 does not compile them on every start. Stack traces name
 * `<bundle>#<chunk>:<line>`.
 */
export async function loadChunk<T>(name: string, packed: string, bundleUrl: string): Promise<T> {
  const source = (await decompress(Buffer.from(packed, "base64"))).toString("utf8");
  const factory = runInThisContext(
    `(function (exports, require, module, __sagemakerServeChunkUrl) {${source}\n})`,
    { filename: `${fileURLToPath(bundleUrl)}#${name}` },
  ) as (exports: object, require: NodeJS.Require, module: { exports: object }, url: string) => void;
  const module = { exports: {} };
  factory(module.exports, createRequire(bundleUrl), module, bundleUrl);
  return module.exports as T;
}
