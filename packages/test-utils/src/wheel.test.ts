import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { useTempDir } from "./temp-dir.ts";
import { writeWheel } from "./wheel.ts";

// Checks every RECORD hash and size the way pip does, with Python's own zipfile.
const VERIFY = `
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
record = [l.split(",") for l in z.read(sys.argv[2]).decode().splitlines()]
for path, digest, size in record:
    if not digest:
        continue
    data = z.read(path)
    algo, value = digest.split("=", 1)
    assert base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode() == value, path
    assert int(size) == len(data), path
print(sorted(z.namelist()))
`;

describe("writeWheel", () => {
  it("writes a wheel whose RECORD matches its contents", async () => {
    const dir = await useTempDir();
    const wheel = await writeWheel({ dir, name: "tiny-pkg", version: "1.2.0", requires: ["other-pkg==1.0"] });
    expect(wheel.filename).toBe("tiny_pkg-1.2.0-py3-none-any.whl");
    expect(wheel.sha256).toMatch(/^[0-9a-f]{64}$/);
    const { stdout } = await execa("python3", ["-c", VERIFY, wheel.path, "tiny_pkg-1.2.0.dist-info/RECORD"]);
    expect(stdout).toBe(
      "['tiny_pkg-1.2.0.dist-info/METADATA', 'tiny_pkg-1.2.0.dist-info/RECORD', 'tiny_pkg-1.2.0.dist-info/WHEEL', 'tiny_pkg/__init__.py']",
    );
    const { stdout: metadata } = await execa("unzip", [
      "-p",
      wheel.path,
      "tiny_pkg-1.2.0.dist-info/METADATA",
    ]);
    expect(metadata).toBe(
      "Metadata-Version: 2.1\nName: tiny-pkg\nVersion: 1.2.0\nRequires-Dist: other-pkg==1.0",
    );
  });
});
