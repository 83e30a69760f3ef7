import { readdirSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { makeSelfSignedCertificate, type PypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { installRequirements } from "../src/index.ts";
import {
  hermeticEnv,
  importedVersion,
  makeVenv,
  processesWith,
  wheels,
  killLeftovers,
  prepareInstall,
  pipFailure,
  useInstallFixture,
} from "./helpers.ts";

const TOKEN = "CANARY-failures-0a9b8c7d6e5f4a3b2c1d";
const fx = useInstallFixture();
const serve = fx.serve;

function setup(requirements: string, index: PypiIndex) {
  return prepareInstall({
    requirements,
    python: fx.venv.python,
    index: { indexUrl: index.url, username: "aws", password: TOKEN },
  });
}

describe("installRequirements: time limits and cancellation", () => {
  it("kills pip's process group when an index that never answers exhausts the timeout", async () => {
    const silent = await serve({ hang: true });
    const { options, tmpDir, requirementsPath } = await setup("slow-pkg==1.0\n", silent);
    // The budget covers the probe and pip's start-up before its first request: generous for a loaded CI machine.
    const error = await pipFailure(installRequirements({ ...options, timeoutMs: 12_000 }));
    expect(error.code).toBe("PIP_TIMEOUT");
    expect(error.message).toContain("failed to install required packages");
    expect(error.message).toContain("within 12000 ms");
    expect(error.signal).toBe("SIGKILL");
    expect(silent.requests.length).toBeGreaterThan(0);
    expect(await processesWith(requirementsPath)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("kills the whole process group, grandchildren included, and streams output while pip runs", async () => {
    const index = await serve({});
    const { options } = await setup("x-pkg==1\n", index);
    const lines: string[] = [];
    const pending = pipFailure(
      installRequirements({
        ...options,
        python: fileURLToPath(new URL("fixtures/pip-with-grandchild.py", import.meta.url)),
        timeoutMs: 8000,
        onLine: (line) => lines.push(line),
      }),
    );
    await waitFor(() => lines.includes("Collecting grandchild-pkg"), {
      timeoutMs: 8000,
      description: "a live line",
    });
    expect(await processesWith("grandchild-marker-4242")).toHaveLength(1);
    const error = await pending;
    expect(error.code).toBe("PIP_TIMEOUT");
    expect(error.outputTail).toEqual(["Collecting grandchild-pkg"]);
    await waitFor(async () => (await processesWith("grandchild-marker-4242")).length === 0, {
      description: "the grandchild is gone",
    });
  });

  it("still times out when a process escaped pip's group but holds its output pipes", async () => {
    const index = await serve({});
    const { options } = await setup("x-pkg==1\n", index);
    try {
      const error = await pipFailure(
        installRequirements({
          ...options,
          python: fileURLToPath(new URL("fixtures/pip-with-grandchild.py", import.meta.url)),
          env: { ...options.env, FIXTURE_SETSID: "1" },
          // Long enough for the fixture to start its grandchild on a loaded CI machine.
          timeoutMs: 8000,
        }),
      );
      expect(error.code).toBe("PIP_TIMEOUT");
      // Out of pip's group, so the group kill cannot reach it: this is the case the pipe release exists for.
      expect(await processesWith("grandchild-marker-4242")).toHaveLength(1);
    } finally {
      await killLeftovers("grandchild-marker-4242");
    }
  });

  it("stops mid-install on abort, leaving no pip process and no credentials file", async () => {
    const slow = await serve({ wheels: await wheels(fx.wheelDir, "abort-pkg==1.0.0"), delayMs: 60_000 });
    const { options, tmpDir, requirementsPath } = await setup("abort-pkg==1.0.0\n", slow);
    const controller = new AbortController();
    const pending = installRequirements({ ...options, signal: controller.signal });
    await waitFor(() => slow.requests.length > 0, { timeoutMs: 20_000, description: "pip asks the index" });
    expect(await processesWith(requirementsPath)).not.toEqual([]);
    expect((await readdir(tmpDir)).length).toBe(1);
    const reason = new Error("shutting down");
    controller.abort(reason);
    // Synchronously: a caller that exits right after abort() (a crash) leaves no token behind.
    expect(readdirSync(tmpDir)).toEqual([]);
    await expect(pending).rejects.toBe(reason);
    expect(await processesWith(requirementsPath)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const index = await serve({});
    const { options } = await setup("x-pkg==1\n", index);
    const reason = new Error("already");
    await expect(installRequirements({ ...options, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(index.requests).toEqual([]);
  });
});

describe("installRequirements with hash checking (extraArgs)", () => {
  it("installs a hashed lock file and refuses a wheel whose hash does not match", async () => {
    const [wheel, tampered] = await wheels(fx.wheelDir, "hashed-pkg==1.0.0", "tampered-pkg==1.0.0");
    const index = await serve({ wheels: [wheel!, tampered!] });
    const good = await setup(`hashed-pkg==1.0.0 --hash=sha256:${wheel!.sha256}\n`, index);
    const result = await installRequirements({
      ...good.options,
      extraArgs: ["--require-hashes", "--only-binary=:all:"],
    });
    expect(result.reason).toBe("installed");

    const bad = await setup(`tampered-pkg==1.0.0 --hash=sha256:${"0".repeat(64)}\n`, index);
    const error = await pipFailure(installRequirements({ ...bad.options, extraArgs: ["--require-hashes"] }));
    expect(error.code).toBe("PIP_INSTALL_FAILED");
    expect(error.outputTail.join("\n")).toContain("THESE PACKAGES DO NOT MATCH THE HASHES");
  });
});

describe("installRequirements: no interpreter, no pip", () => {
  it("gives PIP_NOT_AVAILABLE for an interpreter that does not exist", async () => {
    const index = await serve({});
    const { options } = await setup("x-pkg==1\n", index);
    const error = await pipFailure(installRequirements({ ...options, python: "/nonexistent/bin/python3" }));
    expect(error.code).toBe("PIP_NOT_AVAILABLE");
    expect(error.message).toBe("python interpreter /nonexistent/bin/python3 could not be started (ENOENT)");
  });

  it("gives PIP_NOT_AVAILABLE for an interpreter without pip", async () => {
    const bare = await makeVenv({ withPip: false });
    try {
      const index = await serve({});
      const { options } = await setup("x-pkg==1\n", index);
      const error = await pipFailure(installRequirements({ ...options, python: bare.python }));
      expect(error.code).toBe("PIP_NOT_AVAILABLE");
      expect(error.message).toContain("has no pip module");
      expect(error.hint).toContain("ensurepip");
    } finally {
      await bare.cleanup();
    }
  });
});

describe("installRequirements over HTTPS with a self-signed certificate", () => {
  it("installs from a private HTTPS index with credentials (--trusted-host)", async () => {
    const tls = await makeSelfSignedCertificate(await useTempDir());
    const index = await serve({
      wheels: await wheels(fx.wheelDir, "tls-pkg==1.2.3"),
      basePath: "/pypi/my-repo/simple/",
      auth: { username: "aws", password: TOKEN },
      tls,
    });
    const { options } = await setup("tls-pkg==1.2.3\n", index);
    const result = await installRequirements({ ...options, extraArgs: ["--trusted-host", "127.0.0.1"] });
    expect(result.reason).toBe("installed");
    expect(index.url.startsWith("https://")).toBe(true);
    expect(index.requests.every((r) => r.credentials?.password === TOKEN)).toBe(true);
    expect(await importedVersion(fx.venv.python, "tls_pkg")).toBe("1.2.3");
  });

  it("installs from an HTTPS default index given by PIP_INDEX_URL and PIP_TRUSTED_HOST", async () => {
    const tls = await makeSelfSignedCertificate(await useTempDir());
    const index = await serve({ wheels: await wheels(fx.wheelDir, "tls-public-pkg==0.1.0"), tls });
    const { options } = await setup("tls-public-pkg==0.1.0\n", index);
    const result = await installRequirements({
      ...options,
      index: undefined,
      env: hermeticEnv({ PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: "127.0.0.1" }),
    });
    expect(result.reason).toBe("installed");
    expect(index.requests.map((r) => r.path)).toContain("/simple/tls-public-pkg/");
  });
});
