import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { makeSelfSignedCertificate, type PypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { installRequirements } from "../src/index.ts";
import {
  imageEnv,
  importedVersion,
  pipFailure,
  prepareInstall,
  useInstallFixture,
  wheels,
} from "./helpers.ts";

// The image's pip configuration under a private index: everything but index settings stays in force.
const TOKEN = "CANARY-ambient-3c2b1a0f9e8d7c6b5a49";
const fx = useInstallFixture();
let index: PypiIndex;
let decoy: PypiIndex;
const venvConf = () => join(fx.venv.path, "pip.conf");

beforeAll(async () => {
  const cases = Array.from({ length: 5 }, (_, i) => `case${i}-pkg`);
  const older = await wheels(fx.wheelDir, ...cases.map((name) => `${name}==1.0.0`), "keep-pkg==1.0.0");
  const newer = await wheels(fx.wheelDir, ...cases.map((name) => `${name}==2.0.0`), "keep-pkg==2.0.0");
  index = await fx.serve({
    wheels: [...older, ...newer.slice(-1)],
    basePath: "/pypi/my-repo/simple/",
    auth: { username: "aws", password: TOKEN },
  });
  // Has a newer release of every case package: pip would pick it if it looked here.
  decoy = await fx.serve({ wheels: [...older, ...newer] });
}, 60_000);

afterEach(async () => {
  await rm(venvConf(), { force: true });
});

async function writeConf(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

async function setup(requirements: string) {
  const prepared = await prepareInstall({
    requirements,
    python: fx.venv.python,
    index: { indexUrl: index.url, username: "aws", password: TOKEN },
  });
  return { ...prepared, env: imageEnv(prepared.dir) };
}

/** What `pip config list` says under `env`: the settings pip itself reads. */
async function pipConfigList(env: Record<string, string | undefined>): Promise<string> {
  const { stdout } = await execa(fx.venv.python, ["-m", "pip", "config", "list"], { env });
  return stdout;
}

interface AmbientCase {
  name: string;
  /**
   * Writes the configuration under the test's dir; returns variables to add, what `pip config list` shows when pip
   * reads the setting, and the expected parts of the warning.
   */
  arrange: (dir: string) => Promise<{ env?: Record<string, string>; seen: string; shown: string[] }>;
}

const decoyWithCredentials = () => decoy.url.replace("http://", "http://ci:decoy-secret-0042@");

const cases: AmbientCase[] = [
  {
    name: "a global config file (XDG_CONFIG_DIRS, like /etc/xdg/pip/pip.conf)",
    arrange: async (dir) => {
      const path = join(dir, "xdg", "pip", "pip.conf");
      await writeConf(path, `[global]\nextra-index-url = ${decoyWithCredentials()}\n`);
      return {
        seen: "global.extra-index-url='http://ci:decoy-secret-0042@",
        shown: [
          `extra-index-url = ${decoy.url.replace("http://", "http://***@")} (${path} [global], global config)`,
        ],
      };
    },
  },
  {
    name: "the user's config file",
    arrange: async (dir) => {
      const path = join(dir, "home", ".config", "pip", "pip.conf");
      await writeConf(path, `[install]\nfind-links = ${decoy.origin}/files/\n`);
      return {
        seen: `install.find-links='${decoy.origin}/files/'`,
        shown: [`find-links = ${decoy.origin}/files/ (${path} [install], user config)`],
      };
    },
  },
  {
    name: "the venv's pip.conf",
    arrange: async () => {
      await writeConf(venvConf(), `[global]\nindex-url = ${decoy.url}\nno-index = true\n`);
      return {
        seen: "global.no-index='true'",
        shown: [
          `index-url = ${decoy.url} (${venvConf()} [global], site config)`,
          `no-index = true (${venvConf()} [global], site config)`,
        ],
      };
    },
  },
  {
    name: "the file PIP_CONFIG_FILE names",
    arrange: async (dir) => {
      const path = join(dir, "image-pip.conf");
      await writeConf(path, `[install]\nextra-index-url = ${decoy.url}\n`);
      return {
        seen: `install.extra-index-url='${decoy.url}'`,
        env: { PIP_CONFIG_FILE: path },
        shown: [`extra-index-url = ${decoy.url} (${path} [install], env config)`],
      };
    },
  },
  {
    name: "PIP_* variables, in any spelling pip accepts",
    arrange: async () => ({
      seen: `:env:.find-links='${decoy.origin}/files/'`,
      env: {
        PIP_EXTRA_INDEX_URL: decoy.url,
        PIP_extra_index_url: decoy.url,
        PIP_FIND_LINKS: `${decoy.origin}/files/`,
        PIP_INDEX_URL: decoy.url,
        PIP_NO_INDEX: "yes",
      },
      shown: [
        `extra-index-url = ${decoy.url} (PIP_EXTRA_INDEX_URL)`,
        `extra-index-url = ${decoy.url} (PIP_extra_index_url)`,
        `find-links = ${decoy.origin}/files/ (PIP_FIND_LINKS)`,
        `index-url = ${decoy.url} (PIP_INDEX_URL)`,
        `no-index = yes (PIP_NO_INDEX)`,
      ],
    }),
  },
];

describe("installRequirements with a private index and the image's pip configuration", () => {
  it.each(cases.map((c, i) => ({ ...c, pkg: `case${i}-pkg` })))(
    "never contacts an index set in $name, and says it was overridden",
    async ({ arrange, pkg }) => {
      const { dir, options, env } = await setup(`${pkg}\n`);
      const arranged = await arrange(dir);
      const caseEnv = { ...env, ...arranged.env };
      // pip itself reads the setting in this environment.
      expect(await pipConfigList(caseEnv)).toContain(arranged.seen);

      const warnings: string[] = [];
      const decoyBefore = decoy.requests.length;
      const result = await installRequirements({
        ...options,
        env: caseEnv,
        onWarning: (w) => warnings.push(w),
      });
      expect(result.reason).toBe("installed");
      expect(await importedVersion(fx.venv.python, pkg.replace("-", "_"))).toBe("1.0.0");
      expect(decoy.requests.slice(decoyBefore)).toEqual([]);
      const prefix = "the private index is the only package source; ambient pip settings overridden: ";
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.startsWith(prefix)).toBe(true);
      // Variables come in the environment's order, which is not ours to fix.
      expect(warnings[0]!.slice(prefix.length).split("; ").sort()).toEqual([...arranged.shown].sort());
      expect(warnings.join("\n")).not.toContain("decoy-secret-0042");
    },
  );

  it("keeps the image's other settings: a constraint from the venv's pip.conf applies", async () => {
    const { dir, options, env } = await setup("keep-pkg\n");
    const constraints = join(dir, "constraints.txt");
    await writeFile(constraints, "keep-pkg==1.0.0\n");
    await writeConf(venvConf(), `[global]\nconstraint = ${constraints}\n`);
    const warnings: string[] = [];
    const result = await installRequirements({ ...options, env, onWarning: (w) => warnings.push(w) });
    expect(result.reason).toBe("installed");
    expect(await importedVersion(fx.venv.python, "keep_pkg")).toBe("1.0.0");
    expect(index.requests.map((r) => r.path)).toContain("/pypi/my-repo/simple/keep-pkg/");
    expect(warnings).toEqual([]);
  });

  it("refuses a constraint file of the image's configuration that adds a source, before pip runs", async () => {
    const { dir, options, env } = await setup("keep-pkg\n");
    const constraints = join(dir, "constraints.txt");
    await writeFile(constraints, `keep-pkg==1.0.0\n--extra-index-url ${decoy.url}\n`);
    await writeConf(venvConf(), `[global]\nconstraint = ${constraints}\n`);
    const before = index.requests.length;
    const error = await pipFailure(installRequirements({ ...options, env }));
    expect(error.code).toBe("REQUIREMENTS_POLICY");
    expect(error.message).toBe(
      `${constraints} line 2: --extra-index-url would change where packages come from while the private index is in force`,
    );

    await rm(venvConf());
    const byUrl = await pipFailure(
      installRequirements({ ...options, env: { ...env, PIP_CONSTRAINT: `${decoy.origin}/constraints.txt` } }),
    );
    expect(byUrl.message).toBe(
      "PIP_CONSTRAINT: constraint file from a URL would change where packages come from while the private index is in force",
    );
    expect(index.requests.length).toBe(before);
    expect(decoy.requests).toEqual([]);
  });

  it("trusts an HTTPS index's certificate only through the venv's pip.conf, as the image configures it", async () => {
    const tls = await makeSelfSignedCertificate(await useTempDir());
    const secure = await fx.serve({
      wheels: await wheels(fx.wheelDir, "tls-conf-pkg==1.0.0"),
      basePath: "/pypi/my-repo/simple/",
      auth: { username: "aws", password: TOKEN },
      tls,
    });
    const { options, env } = await setup("tls-conf-pkg==1.0.0\n");
    const install = () =>
      installRequirements({
        ...options,
        index: { indexUrl: secure.url, username: "aws", password: TOKEN },
        env: { ...env, PIP_RETRIES: "0" },
      });

    // Without the image's setting the certificate is unknown: the install fails as it would in the image.
    const error = await pipFailure(install());
    expect(error.code).toBe("PIP_INSTALL_FAILED");
    expect(error.outputTail.join("\n")).toContain("CERTIFICATE_VERIFY_FAILED");

    await writeConf(venvConf(), `[global]\ncert = ${tls.certPath}\n`);
    const result = await install();
    expect(result.reason).toBe("installed");
    expect(result.args).not.toContain("--trusted-host");
    expect(await importedVersion(fx.venv.python, "tls_conf_pkg")).toBe("1.0.0");
    expect(secure.requests.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(secure.requests.every((r) => r.credentials?.password === TOKEN)).toBe(true);
  });
});
