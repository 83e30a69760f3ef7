import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import type { PypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { installRequirements } from "../src/index.ts";
import {
  hermeticEnv,
  importedVersion,
  processesWith,
  wheels,
  prepareInstall,
  pipFailure,
  useInstallFixture,
} from "./helpers.ts";

const TOKEN = "CANARY-install-5f1e2d3c4b5a69788796";
const fx = useInstallFixture();
let index: PypiIndex;
let publicIndex: PypiIndex;
let decoy: PypiIndex;

beforeAll(async () => {
  const built = await wheels(
    fx.wheelDir,
    "alpha-pkg==1.0.0",
    "beta-pkg==2.0.0",
    "gamma-pkg==0.3.0",
    "delta-pkg==4.0.0",
    "epsilon-pkg==5.0.0",
    "zeta-pkg==6.0.0",
  );
  index = await fx.serve({
    wheels: built,
    basePath: "/pypi/my-repo/simple/",
    auth: { username: "aws", password: TOKEN },
  });
  publicIndex = await fx.serve({ wheels: built });
  decoy = await fx.serve({ wheels: built });
}, 60_000);

function setup(requirements: string | undefined) {
  return prepareInstall({
    requirements,
    python: fx.venv.python,
    index: { indexUrl: index.url, username: "aws", password: TOKEN },
  });
}

describe("installRequirements with a private index", () => {
  it("installs with credentials from a private file, never in argv, and removes the file", async () => {
    const { lines, options, tmpDir, requirementsPath } = await setup("alpha-pkg==1.0.0\n");
    const before = index.requests.length;
    const result = await installRequirements(options);
    expect(result).toMatchObject({ skipped: false, reason: "installed", command: fx.venv.python });
    // The toolkit's command, our hardening flags, then the private index: pip's configuration stays read.
    expect(result.args.slice(0, 5)).toEqual(["-m", "pip", "install", "-r", requirementsPath]);
    expect(result.args.slice(-2)).toEqual(["--index-url", index.url]);
    expect(result.args).not.toContain("--isolated");
    expect(await importedVersion(fx.venv.python, "alpha_pkg")).toBe("1.0.0");
    expect(lines).toContain("Successfully installed alpha-pkg-1.0.0");
    expect(lines.join("\n")).not.toContain(TOKEN);
    const seen = index.requests.slice(before);
    expect(seen.map((r) => r.path)).toEqual([
      "/pypi/my-repo/simple/alpha-pkg/",
      "/files/alpha_pkg-1.0.0-py3-none-any.whl",
    ]);
    expect(seen.every((r) => r.credentials?.username === "aws" && r.credentials.password === TOKEN)).toBe(
      true,
    );
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("moves credentials written into the index URL (the toolkit's shape) out of argv", async () => {
    const { options } = await setup("gamma-pkg==0.3.0\n");
    const credentialed = index.url.replace("http://", `http://aws:${TOKEN}@`);
    const result = await installRequirements({ ...options, index: { indexUrl: credentialed } });
    expect(result.reason).toBe("installed");
    expect(result.args).toContain(index.url);
    expect(result.args.join(" ")).not.toContain(TOKEN);
    expect(await importedVersion(fx.venv.python, "gamma_pkg")).toBe("0.3.0");
  });

  it("fails with PIP_INSTALL_FAILED, naming credentials as a cause, for a wrong token", async () => {
    const { options, tmpDir } = await setup("beta-pkg==2.0.0\n");
    const wrong = "wrong-token-0123456789";
    const error = await pipFailure(
      installRequirements({ ...options, index: { indexUrl: index.url, username: "aws", password: wrong } }),
    );
    expect(error.code).toBe("PIP_INSTALL_FAILED");
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain("failed to install required packages");
    expect(error.message).toContain("No matching distribution found for beta-pkg==2.0.0");
    expect(error.hint).toContain("refused the credentials");
    expect(error.outputTail.at(-1)).toBe("ERROR: No matching distribution found for beta-pkg==2.0.0");
    expect(JSON.stringify(error) + error.outputTail.join("\n")).not.toContain(wrong);
    expect(index.requests.at(-1)?.status).toBe(401);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("refuses index-changing lines with their line number, before running pip", async () => {
    const { options } = await setup(
      `# pinned\nepsilon-pkg==5.0.0\n--extra-index-url ${decoy.url}\n--trusted-host example.com\n`,
    );
    const before = index.requests.length;
    const error = await pipFailure(installRequirements(options));
    expect(error.code).toBe("REQUIREMENTS_POLICY");
    expect(error.message).toContain(
      "requirements.txt line 3: --extra-index-url would change where packages come from",
    );
    expect(error.message).toContain("(and 1 more line)");
    expect(error.violations.map((v) => [v.line, v.option])).toEqual([
      [3, "--extra-index-url"],
      [4, "--trusted-host"],
    ]);
    expect(index.requests.length).toBe(before);
    expect(decoy.requests).toEqual([]);
  });

  it("finds index-changing lines in included files too", async () => {
    const { dir, options } = await setup("-r more.txt\nepsilon-pkg==5.0.0\n");
    await writeFile(join(dir, "more.txt"), "zeta-pkg==6.0.0\n-f https://example.com/wheels/\n");
    const error = await pipFailure(installRequirements(options));
    expect(error.code).toBe("REQUIREMENTS_POLICY");
    expect(error.message).toContain(`${join(dir, "more.txt")} line 2: --find-links`);
  });

  it("allows index-changing lines when told to, with a warning", async () => {
    const { options } = await setup(`epsilon-pkg==5.0.0\n--extra-index-url ${decoy.url}\n`);
    const warnings: string[] = [];
    const result = await installRequirements({
      ...options,
      allowIndexOptions: true,
      onWarning: (w) => warnings.push(w),
    });
    expect(result.reason).toBe("installed");
    expect(warnings).toEqual([
      `${options.requirementsPath} line 2: --extra-index-url changes where packages come from; allowed by configuration`,
    ]);
  });
});

describe("installRequirements: when pip does not run", () => {
  it("does nothing for an absent requirements file", async () => {
    const { options } = await setup(undefined);
    const before = index.requests.length;
    const result = await installRequirements(options);
    expect(result).toMatchObject({ skipped: true, reason: "absent" });
    expect(index.requests.length).toBe(before);
  });

  it("does nothing for a file with only comments and blank lines", async () => {
    const { options } = await setup("# nothing yet\n\n   # really\n");
    expect(await installRequirements(options)).toMatchObject({ skipped: true, reason: "empty" });
  });

  it("skips an unchanged install, runs again when the file changes, and when forced", async () => {
    const { options, requirementsPath } = await setup("alpha-pkg==1.0.0\n");
    expect((await installRequirements(options)).reason).toBe("installed");
    const before = index.requests.length;
    expect(await installRequirements(options)).toMatchObject({ skipped: true, reason: "unchanged" });
    expect(index.requests.length).toBe(before);

    expect((await installRequirements({ ...options, force: true })).reason).toBe("installed");
    await writeFile(requirementsPath, "alpha-pkg==1.0.0\nbeta-pkg==2.0.0\n");
    expect((await installRequirements(options)).reason).toBe("installed");
    expect(await importedVersion(fx.venv.python, "beta_pkg")).toBe("2.0.0");
    expect((await installRequirements(options)).reason).toBe("unchanged");
  });

  it("runs again when someone uninstalled a package since (the site-packages directory changed)", async () => {
    const { options } = await setup("alpha-pkg==1.0.0\n");
    expect((await installRequirements(options)).reason).toBe("installed");
    expect((await installRequirements(options)).reason).toBe("unchanged");
    await execa(fx.venv.python, [
      "-m",
      "pip",
      "uninstall",
      "--yes",
      "--disable-pip-version-check",
      "alpha-pkg",
    ]);
    expect((await installRequirements(options)).reason).toBe("installed");
    expect(await importedVersion(fx.venv.python, "alpha_pkg")).toBe("1.0.0");
  });

  it("runs again when the index changes", async () => {
    const { options } = await setup("alpha-pkg==1.0.0\n");
    await installRequirements(options);
    const other = index.url.replace("127.0.0.1", "localhost");
    expect(
      (
        await installRequirements({
          ...options,
          index: { indexUrl: other, username: "aws", password: TOKEN },
        })
      ).reason,
    ).toBe("installed");
  });

  it("gives REQUIREMENTS_UNREADABLE for a requirements path that is a directory", async () => {
    const { dir, options } = await setup(undefined);
    const error = await pipFailure(installRequirements({ ...options, requirementsPath: dir }));
    expect(error.code).toBe("REQUIREMENTS_UNREADABLE");
    expect(error.message).toBe(`cannot read requirements file ${dir}: EISDIR`);
  });

  it("returns the command without running it in a dry run", async () => {
    const { options } = await setup("alpha-pkg==1.0.0\n");
    const result = await installRequirements({ ...options, dryRun: true });
    expect(result).toMatchObject({ skipped: true, reason: "dry-run" });
    expect(await processesWith(options.requirementsPath)).toEqual([]);
  });
});

describe("installRequirements from the default index (no private index)", () => {
  it("runs the toolkit's command with pip's own configuration", async () => {
    const { options, lines } = await setup("zeta-pkg==6.0.0\n");
    const result = await installRequirements({
      ...options,
      index: undefined,
      env: hermeticEnv({ PIP_INDEX_URL: publicIndex.url }),
    });
    expect(result.reason).toBe("installed");
    expect(result.args).not.toContain("--isolated");
    expect(result.args).not.toContain("--index-url");
    expect(lines).toContain("Successfully installed zeta-pkg-6.0.0");
    expect(publicIndex.requests.map((r) => r.path)).toContain("/simple/zeta-pkg/");
  });

  it("honours option lines in the file, as the toolkit does", async () => {
    const { options } = await setup(`--index-url ${publicIndex.url}\nepsilon-pkg==5.0.0\n`);
    const result = await installRequirements({ ...options, index: undefined, env: hermeticEnv() });
    expect(result.reason).toBe("installed");
  });

  it("reports an unresolvable package with pip's last error line", async () => {
    const { options } = await setup("no-such-pkg==9.9.9\n");
    const error = await pipFailure(
      installRequirements({
        ...options,
        index: undefined,
        env: hermeticEnv({ PIP_INDEX_URL: publicIndex.url }),
      }),
    );
    expect(error.code).toBe("PIP_INSTALL_FAILED");
    expect(error.message).toContain(
      "failed to install required packages from " +
        `${options.requirementsPath}: pip exited with code 1 (ERROR: No matching distribution found for no-such-pkg==9.9.9)`,
    );
    expect(error.hint).toContain("read pip's output");
  });
});
