import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { ping, runCli, useServeSetup } from "./harness.ts";

/** The pid (in our namespace) of the first child of `pid`. */
async function firstChild(pid: number): Promise<number> {
  return waitFor(
    async () => {
      const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim();
      return children === "" ? undefined : Number(children.split(" ")[0]);
    },
    { description: `a child of ${pid}` },
  );
}

/** The children of `pid` with their state letter (`Z` for a zombie). */
async function childStates(pid: number): Promise<{ pid: number; state: string }[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  const children = text.trim() === "" ? [] : text.trim().split(" ").map(Number);
  const states = await Promise.all(
    children.map(async (child) => {
      const stat = await readFile(`/proc/${child}/stat`, "utf8").catch(() => "");
      return { pid: child, state: stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) };
    }),
  );
  return states.filter((c) => c.state !== "");
}

describe("serve as PID 1 and under tini", () => {
  it("runs as PID 1 of a PID namespace: warns once with the fix, serves, and stops cleanly on SIGTERM", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({}, { WORKERS: 2 }),
      cwd: s.dir,
      wrapper: ["unshare", "--pid", "--fork", "--mount-proc"],
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    const warnings = cli.output().match(/WARN running as PID 1 without an init.*$/gm) ?? [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Fix: ENTRYPOINT ["tini", "--", "sagemaker-serve"]');
    expect(JSON.parse((await ping(s.port)).body)).toEqual({ status: "Healthy" });
    // The CLI is PID 1 inside; from here it is unshare's child. Node as PID 1 ignores SIGTERM unless it listens.
    const entrypoint = await firstChild(cli.child.pid!);
    process.kill(entrypoint, "SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).toMatch(/server stopped \(stopped, SIGTERM\)/);
  });

  it("as PID 1 without an init, orphaned grandchildren become zombies, yet serving and stopping do not hang", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({}, { ORPHAN_CHILDREN: 20 }),
      cwd: s.dir,
      wrapper: ["unshare", "--pid", "--fork", "--mount-proc"],
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    const entrypoint = await firstChild(cli.child.pid!);
    await waitFor(async () => (await childStates(entrypoint)).filter((c) => c.state === "Z").length >= 20, {
      timeoutMs: 20_000,
      description: "the orphans reparented to PID 1 as zombies",
    });
    expect((await ping(s.port)).status).toBe(200);
    process.kill(entrypoint, "SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("under tini as PID 1, orphaned grandchildren are reaped: no zombie is left", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({}, { ORPHAN_CHILDREN: 100 }),
      cwd: s.dir,
      wrapper: ["unshare", "--pid", "--fork", "--mount-proc", "/usr/bin/tini", "--"],
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    const tini = await firstChild(cli.child.pid!);
    // The orphans live 0.2 s and are reparented to tini (PID 1 inside); once reaped only the CLI is left.
    await waitFor(async () => (await childStates(tini)).length === 1, {
      timeoutMs: 20_000,
      description: "tini reaping the orphans",
    });
    expect((await childStates(tini)).map((c) => c.state)).not.toContain("Z");
    process.kill(tini, "SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("as PID 1, notices a crashed server and exits non-zero", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({}, { CRASH_AFTER_MS: 300 }),
      cwd: s.dir,
      wrapper: ["unshare", "--pid", "--fork", "--mount-proc"],
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    const { code } = await cli.exit;
    expect(code).not.toBe(0);
    expect(cli.output()).toContain("the model server exited by itself");
  });

  it("runs under tini (ENTRYPOINT [tini, --, sagemaker-serve], CMD [serve]) and passes the exit code through", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({ SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "1" }, { IGNORE_SIGTERM: "1" }),
      cwd: s.dir,
      wrapper: ["/usr/bin/tini", "-s", "--"],
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(cli.output()).not.toContain("PID 1");
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 137, signal: null });
  });

  it("under tini, refuses `train` at once", async () => {
    const s = await useServeSetup();
    const cli = runCli(["train"], { env: s.env(), cwd: s.dir, wrapper: ["/usr/bin/tini", "-s", "--"] });
    expect(await cli.exit).toEqual({ code: 2, signal: null });
  });
});
