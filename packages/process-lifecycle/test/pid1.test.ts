import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir, type TempDir } from "@sagemaker-serve/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCmdline } from "../src/index.ts";
import { bundleSource } from "./fixtures/bundle-source.mjs";
import {
  FAKE_SERVER,
  NODE,
  TOOL,
  freePort,
  liveWithToken,
  requirePid,
  trackedToken,
  unique,
} from "./helpers.ts";

const DRIVER = fileURLToPath(new URL("./fixtures/pid1-driver.mjs", import.meta.url));

let bundleDir: TempDir;
let bundle: string;

beforeAll(async () => {
  // Node 20 cannot run .ts: the driver imports the package's source as a plain-JS bundle.
  bundleDir = await makeTempDir({ prefix: "process-lifecycle-bundle-" });
  bundle = join(bundleDir.path, "process-lifecycle.mjs");
  await bundleSource(bundle);
});
afterAll(async () => bundleDir.cleanup());

type Init = "node" | "tini";

interface DriverRun {
  status: number | null;
  result: Record<string, unknown> & { live: string[]; zombies: number };
  stdout: string[];
}

interface DriverOptions {
  mode?: "direct" | "foreground" | "daemon";
  server?: string[];
  stopGraceMs?: number;
  startupTimeoutMs?: number;
  readyBeforeSignal?: boolean;
  wantNoZombies?: boolean;
}

/** The pid (in our namespace) of unshare's forked child: PID 1 of the new namespace. */
async function namespaceInit(unsharePid: number): Promise<number> {
  for (;;) {
    const children = (await readFile(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8")).trim();
    const first = Number(children.split(" ")[0]);
    if (first > 0) return first;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs the driver as PID 1 of a fresh PID namespace (`init: "node"`), or as tini's child there
 * (`init: "tini"`); `onReady` may send signals to that PID 1.
 */
async function runDriver(
  init: Init,
  scenario: "serve" | "tool" | "crash",
  options: DriverOptions & { token: string; mainClass: string },
  onReady: (ctx: { signalInit: (sig: NodeJS.Signals) => void; serverPid: number }) => Promise<void> | void,
): Promise<DriverRun> {
  const payload = JSON.stringify({
    fakeServer: FAKE_SERVER,
    tool: TOOL,
    port: await freePort(),
    mode: "foreground",
    ...options,
  });
  const argv = [
    "--pid",
    "--fork",
    "--mount-proc",
    ...(init === "tini" ? ["/usr/bin/tini", "--"] : []),
    NODE,
    DRIVER,
    bundle,
    scenario,
    payload,
  ];
  const child = spawn("unshare", argv, { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  const initPid = namespaceInit(requirePid(child.pid, "unshare"));
  const stdout: string[] = [];
  let result: DriverRun["result"] | undefined;
  let readyWork: Promise<void> = Promise.resolve();
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let nl = buffer.indexOf("\n");
    while (nl !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      stdout.push(line);
      if (line.startsWith("READY ")) {
        const serverPid = Number(line.slice(6));
        readyWork = initPid.then((pid) =>
          onReady({ signalInit: (sig) => process.kill(pid, sig), serverPid }),
        );
      } else if (line.startsWith("RESULT ")) {
        result = JSON.parse(line.slice(7)) as DriverRun["result"];
      }
    }
  });
  const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await readyWork;
  if (result === undefined && scenario !== "crash") {
    throw new Error(`driver gave no RESULT; output:\n${stdout.join("\n")}\n${stderr.join("")}`);
  }
  return { status, result: result ?? { live: [], zombies: 0 }, stdout };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function fresh(): { token: string; mainClass: string } {
  return { token: trackedToken(), mainClass: unique("com.example.pid1.ModelServer") };
}

describe.each<Init>(["node", "tini"])("as PID 1 of a fresh PID namespace, init = %s", (init) => {
  it("case 2: SIGTERM while serving: forwarded to the group, server drains, exit 0, nothing left", async () => {
    const run = await runDriver(
      init,
      "serve",
      { ...fresh(), server: ["--on-term", "drain:300", "--workers", "2"] },
      ({ signalInit }) => signalInit("SIGTERM"),
    );
    expect(run.result).toMatchObject({
      ready: "ready",
      code: 0,
      exit: { kind: "stopped", stoppedBy: "SIGTERM" },
      live: [],
    });
    expect(run.status).toBe(0);
  });

  it("case 3: SIGTERM, server ignores it: SIGKILL to the group at the grace deadline, exit 137", async () => {
    const run = await runDriver(
      init,
      "serve",
      { ...fresh(), server: ["--on-term", "ignore", "--workers", "2"], stopGraceMs: 500 },
      ({ signalInit }) => signalInit("SIGTERM"),
    );
    expect(run.result).toMatchObject({ code: 137, exit: { kind: "killed" }, live: [] });
    expect(run.status).toBe(137);
  });

  it("case 4: a second SIGTERM during the grace period escalates at once", async () => {
    const run = await runDriver(
      init,
      "serve",
      { ...fresh(), server: ["--on-term", "ignore"], stopGraceMs: 60_000 },
      async ({ signalInit }) => {
        signalInit("SIGTERM");
        await pause(300);
        signalInit("SIGTERM");
      },
    );
    expect(run.result).toMatchObject({
      code: 137,
      exit: { kind: "killed" },
      received: ["SIGTERM", "SIGTERM"],
      live: [],
    });
    expect((run.result.exit as { ranMs: number }).ranMs).toBeLessThan(30_000);
  });

  it("case 5: SIGTERM during readiness polling aborts the startup; exit 0, nothing left", async () => {
    const run = await runDriver(
      init,
      "serve",
      { ...fresh(), server: ["--ping", "unhealthy"], readyBeforeSignal: false, startupTimeoutMs: 60_000 },
      ({ signalInit }) => signalInit("SIGTERM"),
    );
    expect(run.result).toMatchObject({
      ready: "STARTUP_ABORTED",
      code: 0,
      exit: { kind: "stopped" },
      live: [],
    });
  });

  it("case 6: SIGQUIT/SIGUSR1/SIGUSR2 are forwarded (server keeps running), then SIGINT stops", async () => {
    const run = await runDriver(init, "serve", fresh(), async ({ signalInit }) => {
      for (const sig of ["SIGQUIT", "SIGUSR1", "SIGUSR2"] as const) {
        signalInit(sig);
        await pause(150);
      }
      signalInit("SIGINT");
    });
    expect(run.result).toMatchObject({
      code: 0,
      exit: { kind: "stopped", stoppedBy: "SIGINT" },
      received: ["SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGINT"],
      live: [],
    });
    expect(run.stdout.some((l) => l.startsWith("Full thread dump"))).toBe(true);
    expect(run.stdout).toEqual(expect.arrayContaining(["got SIGUSR1", "got SIGUSR2"]));
  });

  it("cases 7 and 11: a daemonised server killed -9 becomes an unreaped orphan; still detected as gone", async () => {
    const ids = fresh();
    const run = await runDriver(
      init,
      "serve",
      {
        ...ids,
        mode: "daemon",
        server: ["--workers", "2", "--workers-stay"],
        wantNoZombies: init === "tini",
      },
      async () => {
        const live = await liveWithToken(ids.token);
        const servers: number[] = [];
        for (const pid of live) if ((await readCmdline(pid))?.includes(ids.mainClass)) servers.push(pid);
        process.kill(
          requirePid(servers[0], `the daemonised server (live with token: ${live.join(", ")})`),
          "SIGKILL",
        );
      },
    );
    expect(run.result).toMatchObject({ exit: { kind: "exited", stoppedBy: null }, live: [] });
    expect(run.result.code).not.toBe(0);
    // Node as PID 1 cannot reap the orphaned server; tini does.
    if (init === "node") expect(run.result.zombies).toBeGreaterThan(0);
    else expect(run.result.zombies).toBe(0);
  });

  it("case 8: foreground launcher exits 0 after the server exits 1 → exit ≠ 0", async () => {
    const run = await runDriver(
      init,
      "serve",
      // The server outlives its first healthy /ping by 2 s so a loaded machine still sees it ready first.
      { ...fresh(), server: ["--exit-after-ready", "2000", "--exit-code", "1"] },
      () => undefined,
    );
    expect(run.result).toMatchObject({ exit: { kind: "exited", launcher: { code: 0 } }, code: 1, live: [] });
    expect(run.status).toBe(1);
  });

  it("case 9: the supervisor dies of an unhandled rejection: nothing of the server survives", async () => {
    const ids = fresh();
    const run = await runDriver(
      init,
      "crash",
      { ...ids, server: ["--workers", "2", "--workers-stay"] },
      () => undefined,
    );
    expect(run.status).not.toBe(0);
    if (init === "tini") expect(run.status).toBe(1);
    expect(await liveWithToken(ids.token)).toEqual([]);
  });

  it("case 10: 100 orphaned grandchildren; with tini no zombie is left, without it liveness is not fooled", async () => {
    const run = await runDriver(
      init,
      "serve",
      {
        ...fresh(),
        mode: "daemon",
        server: ["--orphans", "100", "--exit-after-ready", "2000", "--exit-code", "0"],
        wantNoZombies: init === "tini",
      },
      () => undefined,
    );
    expect(run.result).toMatchObject({ exit: { kind: "exited" }, live: [] });
    if (init === "tini") expect(run.result.zombies).toBe(0);
    else expect(run.result.zombies).toBeGreaterThan(0);
  });

  it("case 13: a 20 s tool run does not block the event loop; SIGTERM kills its group at once", async () => {
    const ids = fresh();
    const run = await runDriver(init, "tool", ids, async ({ signalInit }) => {
      await pause(300);
      signalInit("SIGTERM");
    });
    expect(run.result).toMatchObject({ code: "TOOL_ABORTED", live: [] });
    expect(run.result.handledMs as number).toBeLessThan(10_000);
  });
});

describe("without a ps binary", () => {
  it("auto tree source falls back to /proc (PATH without ps)", async () => {
    const ids = fresh();
    const payload = JSON.stringify({
      ...ids,
      fakeServer: FAKE_SERVER,
      port: await freePort(),
      mode: "foreground",
      inNamespace: false,
    });
    const child = spawn(NODE, [DRIVER, bundle, "serve", payload], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { PATH: "/nonexistent" },
    });
    const lines: string[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        lines.push(line);
        if (line.startsWith("READY ")) child.kill("SIGTERM");
      }
    });
    const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    expect(status).toBe(0);
    const result = JSON.parse(lines.find((l) => l.startsWith("RESULT "))?.slice(7) ?? "{}") as Record<
      string,
      unknown
    >;
    expect(result).toMatchObject({ ready: "ready", exit: { kind: "stopped" } });
  });
});
