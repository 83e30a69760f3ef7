import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { writeCredentialsFile } from "./credentials-file.ts";

describe("writeCredentialsFile", () => {
  it("writes a 0600 netrc in a fresh 0700 directory and removes the directory", async () => {
    const tmpDir = await useTempDir();
    const file = await writeCredentialsFile({
      tmpDir,
      host: "127.0.0.1",
      username: "aws",
      password: "tok-abc.DEF_123",
    });
    expect(file.path).toBe(join(file.dir, "netrc"));
    expect((await stat(file.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect(await readFile(file.path, "utf8")).toBe("machine 127.0.0.1 login aws password tok-abc.DEF_123\n");
    await file.remove();
    await expect(stat(file.dir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("removeNow() deletes the directory before it returns, and again without throwing", async () => {
    const tmpDir = await useTempDir();
    const file = await writeCredentialsFile({ tmpDir, host: "h", username: "aws", password: "secret-now" });
    file.removeNow();
    expect(existsSync(file.dir)).toBe(false);
    expect(() => file.removeNow()).not.toThrow();
    await file.remove();
  });

  it("makes a new directory each time, never reusing one", async () => {
    const tmpDir = await useTempDir();
    const a = await writeCredentialsFile({ tmpDir, host: "h", username: "aws", password: "secret-1" });
    const b = await writeCredentialsFile({ tmpDir, host: "h", username: "aws", password: "secret-2" });
    expect(a.dir).not.toBe(b.dir);
    await writeFile(join(a.dir, "other"), "x");
    await Promise.all([a.remove(), b.remove()]);
  });

  it("refuses a password a netrc parser would read differently", async () => {
    const tmpDir = await useTempDir();
    for (const password of ["has space", 'quote"d', "new\nline", "back\\slash", "#comment"]) {
      await expect(writeCredentialsFile({ tmpDir, host: "h", username: "aws", password })).rejects.toThrow(
        TypeError,
      );
    }
  });
});
