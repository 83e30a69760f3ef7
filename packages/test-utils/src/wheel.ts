import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { ZipArchive } from "archiver";

export interface WheelOptions {
  /** Directory the wheel is written to. */
  dir: string;
  /** Project name as written in requirements (`tiny-pkg`). */
  name: string;
  version: string;
  /**
   * Files inside the wheel, path → content. Default one module, `<name with _>/__init__.py`, holding
   * `VERSION = "<version>"`.
   */
  files?: Record<string, string>;
  /** `Requires-Dist` lines (`other-pkg==1.0`). */
  requires?: string[];
}

export interface Wheel {
  /** Absolute path of the `.whl` file. */
  path: string;
  /** `<name>-<version>-py3-none-any.whl`. */
  filename: string;
  /** Project name as given. */
  name: string;
  version: string;
  /** Hex sha256 of the wheel file (for `#sha256=` links and `--hash`). */
  sha256: string;
}

function recordHash(content: Buffer): string {
  return `sha256=${createHash("sha256").update(content).digest("base64url")}`;
}

/**
 * Writes a pure-Python wheel (a zip with the package, METADATA, WHEEL and a RECORD with real hashes) without any
 * build tool: pip installs it like one from PyPI. `pip wheel` cannot be used here (no `wheel` package, no PyPI).
 */
export async function writeWheel({ dir, name, version, files, requires = [] }: WheelOptions): Promise<Wheel> {
  const distribution = name.replace(/[-_.]+/g, "_");
  const distInfo = `${distribution}-${version}.dist-info`;
  const filename = `${distribution}-${version}-py3-none-any.whl`;
  const contents = new Map<string, Buffer>();
  for (const [path, text] of Object.entries(
    files ?? { [`${distribution.toLowerCase()}/__init__.py`]: `VERSION = "${version}"\n` },
  )) {
    contents.set(path, Buffer.from(text));
  }
  const metadata = [
    "Metadata-Version: 2.1",
    `Name: ${name}`,
    `Version: ${version}`,
    ...requires.map((r) => `Requires-Dist: ${r}`),
    "",
  ].join("\n");
  contents.set(`${distInfo}/METADATA`, Buffer.from(metadata));
  contents.set(
    `${distInfo}/WHEEL`,
    Buffer.from(
      "Wheel-Version: 1.0\nGenerator: sagemaker-serve-test-utils\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ),
  );
  const record = [...contents].map(([path, content]) => `${path},${recordHash(content)},${content.length}`);
  record.push(`${distInfo}/RECORD,,`);
  contents.set(`${distInfo}/RECORD`, Buffer.from(`${record.join("\n")}\n`));

  const path = join(dir, filename);
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const output = createWriteStream(path);
  archive.pipe(output);
  for (const [entry, content] of contents) archive.append(content, { name: entry });
  await archive.finalize();
  await finished(output);
  const sha256 = createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
  return { path, filename, name, version, sha256 };
}
