import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import type { PypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { installRequirements, PipInstallError, type InstallRequirementsOptions } from "../src/index.ts";
import {
  hermeticEnv,
  imageEnv,
  importedVersion,
  processesWith,
  useInstallFixture,
  wheels,
} from "./helpers.ts";

const TOKEN = "CANARY-secret-7e6d5c4b3a2918273645";
const fx = useInstallFixture();
let index: PypiIndex;
let decoy: PypiIndex;

beforeAll(async () => {
  const built = await wheels(fx.wheelDir, "canary-pkg==1.0.0");
  index = await fx.serve({
    wheels: built,
    basePath: "/pypi/my-repo/simple/",
    auth: { username: "aws", password: TOKEN },
    // Slow enough to look at pip while it runs.
    delayMs: 1000,
  });
  decoy = await fx.serve({ wheels: built });
}, 60_000);

interface Sample {
  pid: number;
  cmdline: string;
  environ: string;
}

/** Every live process in the process group of a process whose argv mentions `marker`. */
async function sampleGroup(marker: string): Promise<Sample[]> {
  const groups = new Set<string>();
  for (const pid of await processesWith(marker)) {
    const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const pgid = text.slice(text.lastIndexOf(")") + 2).split(" ")[2];
    if (pgid) groups.add(pgid);
  }
  const samples: Sample[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = await readFile(`/proc/${entry}/stat`, "utf8");
      if (!groups.has(text.slice(text.lastIndexOf(")") + 2).split(" ")[2]!)) continue;
      samples.push({
        pid: Number(entry),
        cmdline: await readFile(`/proc/${entry}/cmdline`, "utf8"),
        environ: await readFile(`/proc/${entry}/environ`, "utf8"),
      });
    } catch {
      // Gone while we looked.
    }
  }
  return samples;
}

async function filesContaining(text: string, ...dirs: string[]): Promise<string[]> {
  const { stdout, exitCode } = await execa("grep", ["-rlF", "--", text, ...dirs], { reject: false });
  expect(exitCode === 0 || exitCode === 1).toBe(true);
  return stdout.split("\n").filter(Boolean);
}

describe("the canary token", () => {
  it("never reaches pip's argv or environment, pip's output (even -vvv), errors, or files left behind", async () => {
    const dir = await useTempDir();
    const tmpDir = join(dir, "tmp");
    await mkdir(tmpDir);
    // The image's own pip configuration, index settings included: read by pip, the index ones overridden.
    const env = imageEnv(dir, { PIP_EXTRA_INDEX_URL: decoy.url, PIP_TIMEOUT: "30" });
    await mkdir(join(dir, "xdg", "pip"), { recursive: true });
    await writeFile(join(dir, "xdg", "pip", "pip.conf"), `[global]\nfind-links = ${decoy.origin}/files/\n`);
    const requirementsPath = join(dir, "requirements.txt");
    await writeFile(requirementsPath, "canary-pkg==1.0.0\n");
    const lines: string[] = [];
    const options: InstallRequirementsOptions = {
      requirementsPath,
      python: fx.venv.python,
      index: { indexUrl: index.url, username: "aws", password: TOKEN },
      timeoutMs: 60_000,
      onLine: (line) => lines.push(line),
      statePath: join(dir, "state.json"),
      tmpDir,
      env,
      extraArgs: ["-vvv"],
    };

    const pending = installRequirements(options);
    let settled = false;
    void pending.finally(() => (settled = true)).catch(() => {});
    const samples: Sample[] = [];
    const modes = new Set<string>();
    while (!settled) {
      samples.push(...(await sampleGroup(requirementsPath)));
      for (const sub of await readdir(tmpDir).catch(() => [] as string[])) {
        const dirStat = await stat(join(tmpDir, sub)).catch(() => undefined);
        const fileStat = await stat(join(tmpDir, sub, "netrc")).catch(() => undefined);
        if (dirStat && fileStat)
          modes.add(`${(dirStat.mode & 0o777).toString(8)} ${(fileStat.mode & 0o777).toString(8)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const result = await pending;

    expect(result.reason).toBe("installed");
    expect(await importedVersion(fx.venv.python, "canary_pkg")).toBe("1.0.0");
    // The sampling really saw pip, with its netrc and without ambient config.
    const pip = samples.filter((s) => s.cmdline.includes("-m\0pip\0install"));
    expect(pip.length).toBeGreaterThan(0);
    expect(pip[0]!.environ).toContain(`NETRC=${tmpDir}/`);
    const pipEnviron = pip[0]!.environ.split("\0");
    expect(pipEnviron).toEqual(
      expect.arrayContaining(["PIP_EXTRA_INDEX_URL= ", "PIP_FIND_LINKS= ", "PIP_TIMEOUT=30"]),
    );
    expect(lines.filter((line) => line.startsWith("warning: "))).toEqual([
      "warning: the private index is the only package source; ambient pip settings overridden: " +
        `extra-index-url = ${decoy.url} (PIP_EXTRA_INDEX_URL); ` +
        `find-links = ${decoy.origin}/files/ (${join(dir, "xdg", "pip", "pip.conf")} [global], global config)`,
    ]);
    expect(decoy.requests).toEqual([]);
    expect(modes).toEqual(new Set(["700 600"]));
    for (const sample of samples) {
      expect(sample.cmdline).not.toContain(TOKEN);
      expect(sample.environ).not.toContain(TOKEN);
    }
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(await readdir(tmpDir)).toEqual([]);
    expect(await filesContaining(TOKEN, dir, fx.venv.path)).toEqual([]);
  });

  it("never reaches a failure's message, hint, tail or files", async () => {
    const dir = await useTempDir();
    const tmpDir = join(dir, "tmp");
    await mkdir(tmpDir);
    const requirementsPath = join(dir, "requirements.txt");
    await writeFile(requirementsPath, "missing-pkg==1.0.0\n");
    const lines: string[] = [];
    const error = await installRequirements({
      requirementsPath,
      python: fx.venv.python,
      index: { indexUrl: index.url.replace("http://", `http://aws:${TOKEN}@`) },
      timeoutMs: 60_000,
      onLine: (line) => lines.push(line),
      statePath: join(dir, "state.json"),
      tmpDir,
      env: hermeticEnv(),
      extraArgs: ["-vvv"],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipInstallError);
    const e = error as PipInstallError;
    expect(e.code).toBe("PIP_INSTALL_FAILED");
    const visible = [
      e.message,
      e.hint,
      e.stack,
      JSON.stringify(e),
      e.args.join(" "),
      e.outputTail.join("\n"),
      lines.join("\n"),
    ];
    expect(visible.join("\n")).not.toContain(TOKEN);
    expect(await readdir(tmpDir)).toEqual([]);
    expect(await filesContaining(TOKEN, dir)).toEqual([]);
  });
});
