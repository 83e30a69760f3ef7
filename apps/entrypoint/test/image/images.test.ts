import { randomUUID } from "node:crypto";
import { access, cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { freePort, useTempDir } from "@sagemaker-serve/test-utils";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { startPypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { writeWheel } from "@sagemaker-serve/test-utils/wheel";
import { expectEchoModelAnswers } from "../harness.ts";
import {
  REPO_ROOT,
  assertContainersUsable,
  buildImage,
  ensureBaseImage,
  mustRun,
  removeContainer,
  runContainer,
  stopContainer,
} from "./podman.ts";

// An explicit opt-out for machines that cannot run containers; without it such a machine fails these tests
// with the reason, never skips them silently. CI does not set it.
const SKIP = process.env.SAGEMAKER_SERVE_SKIP_IMAGE_TESTS === "1";

const ECHO_MODEL = join(REPO_ROOT, "examples", "echo", "model");
const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

interface ExampleImage {
  name: string;
  dockerfile: string;
  tag: string;
  /** The user the server runs as. */
  uid: number;
  /** Where serve writes the built-in server's config in this image. */
  configPath: string;
  /** argv of `sagemaker-serve serve` as tini starts it. */
  serveArgv: string[];
}

const IMAGES: ExampleImage[] = [
  {
    name: "Dockerfile (Node.js and the JS bundle)",
    dockerfile: "examples/docker/Dockerfile",
    tag: "localhost/sagemaker-serve-example:node",
    uid: 0,
    configPath: "/etc/sagemaker-serve-builtin.json",
    serveArgv: ["node", "/usr/local/bin/sagemaker-serve", "serve"],
  },
  {
    name: "Dockerfile.no-node (the single executable, non-root)",
    dockerfile: "examples/docker/Dockerfile.no-node",
    tag: "localhost/sagemaker-serve-example:no-node",
    uid: 1000,
    configPath: "/tmp/sagemaker-serve-config",
    serveArgv: ["sagemaker-serve", "serve"],
  },
];

interface ContainerProcess {
  pid: number;
  ppid: number;
  uid: number;
  argv: string[];
}

// Run with the image's Python: neither image has ps.
const LIST_PROCESSES = `
import json, os
found = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")[:-1]
        uid = next(line.split()[1] for line in open(f"/proc/{pid}/status") if line.startswith("Uid:"))
    except OSError:
        continue
    ppid = int(stat[stat.rindex(")") + 2:].split()[1])
    found.append({"pid": int(pid), "ppid": ppid, "uid": int(uid), "argv": [a.decode() for a in argv]})
print(json.dumps(found))
`;

function containerName(image: ExampleImage): string {
  return `sagemaker-serve-test-${image.tag.split(":")[1]}-${randomUUID().slice(0, 8)}`;
}

describe.skipIf(SKIP)("the example images, built and run with podman", () => {
  beforeAll(async () => {
    await assertContainersUsable();
    for (const file of ["sagemaker-serve.js", "sagemaker-serve"]) {
      await access(join(DIST, file)).catch(() => {
        throw new Error(
          `${DIST}${file} is missing: run \`pnpm --filter @sagemaker-serve/entrypoint build\` first`,
        );
      });
    }
    const base = await ensureBaseImage();
    // One after the other: on two cores parallel builds are not faster, and unchanged layers are reused.
    for (const image of IMAGES) await buildImage({ dockerfile: image.dockerfile, tag: image.tag, base });
  });

  describe.each(IMAGES)("$name", (image) => {
    it("serves the echo model under tini, installs requirements.txt at start, and stops with 0 leaving nothing", async () => {
      const dir = await useTempDir({ prefix: "sagemaker-serve-image-" });
      const modelDir = join(dir, "model");
      await cp(ECHO_MODEL, modelDir, { recursive: true });
      await writeFile(join(modelDir, "code", "requirements.txt"), "image-test-pkg==1.0\n");
      const wheel = await writeWheel({
        dir,
        name: "image-test-pkg",
        version: "1.0",
        files: { "image_test_pkg.py": "ANSWER = 42\n" },
      });
      const index = await startPypiIndex({ wheels: [wheel] });
      onTestFinished(() => index.close());
      const port = await freePort();
      const marker = randomUUID();
      const name = containerName(image);
      onTestFinished(() => removeContainer(name));

      const container = runContainer({
        image: image.tag,
        name,
        env: {
          SAGEMAKER_BIND_TO_PORT: String(port),
          SAGEMAKER_MODEL_SERVER_WORKERS: "1",
          PIP_INDEX_URL: index.url,
          SAGEMAKER_SERVE_TEST_MARKER: marker,
        },
        volumes: [`${modelDir}:/opt/ml/model:ro`],
        args: ["serve"],
      });
      await container.waitForOutput(/ready in \d+ ms/);

      await expectEchoModelAnswers(port);

      // requirements.txt came from the host's index into the image's venv.
      expect(index.requests.map((r) => `${r.status} ${r.path}`)).toEqual(
        expect.arrayContaining(["200 /simple/image-test-pkg/", `200 /files/${wheel.filename}`]),
      );
      expect(
        (
          await container.exec(["python", "-c", "import image_test_pkg; print(image_test_pkg.ANSWER)"])
        ).trim(),
      ).toBe("42");

      // tini is PID 1; serve its child; the built-in server serve's child; the worker the server's.
      const processes = JSON.parse(
        await container.exec(["python", "-c", LIST_PROCESSES]),
      ) as ContainerProcess[];
      const byPid = new Map(processes.map((p) => [p.pid, p]));
      expect(byPid.get(1)?.argv).toEqual(["/usr/bin/tini", "--", "sagemaker-serve", "serve"]);
      const serve = processes.find((p) => p.ppid === 1 && p.argv.join(" ") === image.serveArgv.join(" "));
      expect(serve, JSON.stringify(processes)).toBeDefined();
      const server = processes.find((p) => p.ppid === serve!.pid && p.argv.includes("model-server"));
      expect(server, JSON.stringify(processes)).toBeDefined();
      const worker = processes.find(
        (p) => p.ppid === server!.pid && p.argv.some((a) => a.endsWith("model_worker.py")),
      );
      expect(worker, JSON.stringify(processes)).toBeDefined();
      expect([serve!.uid, server!.uid, worker!.uid]).toEqual([image.uid, image.uid, image.uid]);
      expect(JSON.parse(await container.exec(["cat", image.configPath]))).toMatchObject({ port });
      // apt's downloaded packages and lists were cleaned (the test base has no docker-clean hook).
      expect(
        await container.exec(
          ["find", "/var/cache/apt", "/var/lib/apt/lists", "-name", "*.deb", "-o", "-name", "*_Packages*"],
          { user: "root" },
        ),
      ).toBe("");

      // podman stop: SIGTERM, and SIGKILL (exit 137) if the container is still running 2 s later.
      await stopContainer(name, 2);
      expect(await container.exit).toBe(0);
      expect(container.stderr()).toMatch(/exiting 0\n$/);
      expect((await findProcesses(marker)).filter((p) => p.state !== "Z")).toEqual([]);
      expect(await mustRun("podman", ["ps", "--all", "--quiet", "--filter", `name=^${name}$`])).toBe("");
    });

    it("exits 2 with the error on stderr for an invalid variable, starting nothing", async () => {
      const name = containerName(image);
      onTestFinished(() => removeContainer(name));
      const container = runContainer({
        image: image.tag,
        name,
        env: { SAGEMAKER_MODEL_SERVER_WORKERS: "zero" },
        args: ["serve"],
      });
      expect(await container.exit).toBe(2);
      expect(container.stderr()).toContain(
        'error ENV_INVALID: 1 environment variable is invalid:\n  - SAGEMAKER_MODEL_SERVER_WORKERS: must be a whole number 0-1024 (got "zero")\n',
      );
      expect(container.stdout()).toBe("");
    });
  });
});
