import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { exitCodeFor, isAlive } from "../src/index.ts";
import { liveWithToken } from "./helpers.ts";
import { launch } from "./launch.ts";

describe("startServer: stopping (reliability §6 cases 2–4, 6–8)", () => {
  it("case 2: SIGTERM to the group, server drains, launcher and workers gone; stop() is idempotent", async () => {
    const { handle, token } = await launch({ server: ["--on-term", "drain:300", "--workers", "2"] });
    await handle.ready;
    const [a, b] = await Promise.all([handle.stop(), handle.stop()]);
    expect(a).toBe(b);
    expect(a.kind).toBe("stopped");
    expect(await handle.stop()).toBe(a);
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("case 3: a server that ignores SIGTERM is SIGKILLed (whole group) at the grace deadline → 137", async () => {
    const { handle, token, events } = await launch({
      server: ["--on-term", "ignore", "--workers", "2"],
      stopGraceMs: 600,
    });
    await handle.ready;
    const exit = await handle.stop();
    expect(exit.kind).toBe("killed");
    expect(exitCodeFor(exit)).toBe(137);
    expect(events.some((e) => e.type === "escalated")).toBe(true);
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("case 4: kill() during the grace period escalates at once", async () => {
    const { handle } = await launch({ server: ["--on-term", "ignore"], stopGraceMs: 60_000 });
    await handle.ready;
    const stopping = handle.stop({ reason: "SIGTERM" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exit = await handle.kill({ reason: "SIGINT" });
    expect(await stopping).toBe(exit);
    expect(exit).toMatchObject({ kind: "killed", stoppedBy: "SIGTERM" });
    expect(exit.ranMs).toBeLessThan(30_000);
  });

  it("case 6: SIGQUIT/SIGUSR1/SIGUSR2 reach the server, which keeps running", async () => {
    const { handle, lines } = await launch();
    const { pid } = await handle.found;
    await handle.ready;
    for (const sig of ["SIGQUIT", "SIGUSR1", "SIGUSR2"] as const) expect(handle.signal(sig)).toBe(true);
    await waitFor(() => lines.some((l) => l.startsWith("Full thread dump")) && lines.includes("got SIGUSR2"));
    expect(lines).toContain("got SIGUSR1");
    expect(await isAlive(pid)).toBe(true);
    await handle.stop();
    expect(handle.signal("SIGUSR1")).toBe(false);
  });

  it("case 7: a server SIGKILLed while serving is noticed, the rest of the group is killed, exit ≠ 0", async () => {
    // Workers that would outlive their server: only the group SIGKILL ends them.
    const { handle, token } = await launch({ mode: "daemon", server: ["--workers", "2", "--workers-stay"] });
    const { pid } = await handle.found;
    await handle.ready;
    await waitFor(async () => (await liveWithToken(token)).length === 3);
    process.kill(pid, "SIGKILL");
    const exit = await handle.exited;
    expect(exit).toMatchObject({ kind: "exited", stoppedBy: null });
    expect(exitCodeFor(exit)).not.toBe(0);
    expect(await liveWithToken(token)).toEqual([]);
  });

  it.each(["foreground", "daemon", "double-fork"] as const)(
    "killNow() (%s) SIGKILLs launcher, server and workers at once, for a supervisor about to die",
    async (mode) => {
      const { handle, token } = await launch({
        mode,
        server: ["--on-term", "ignore", "--workers", "2", "--workers-stay"],
        stopGraceMs: 60_000,
      });
      await handle.ready;
      await waitFor(async () => (await liveWithToken(token)).length >= 3);
      handle.killNow();
      // Nothing was awaited: the signals went out before killNow returned.
      await waitFor(async () => (await liveWithToken(token)).length === 0, { timeoutMs: 5000 });
      const exit = await handle.exited;
      expect(exit.kind).toBe("exited");
      expect(exit.ranMs).toBeLessThan(60_000);
      handle.killNow();
    },
  );

  it("case 8: foreground launcher exits 0 but the server died with 1 → still a failure", async () => {
    const { handle } = await launch({
      mode: "foreground",
      server: ["--exit-after-ready", "1500", "--exit-code", "1"],
    });
    await handle.ready;
    const exit = await handle.exited;
    expect(exit.launcher).toEqual({ code: 0, signal: null });
    expect(exit.kind).toBe("exited");
    expect(exitCodeFor(exit)).toBe(1);
  });
});

describe("startServer: exit-code table with real processes (case 12)", () => {
  for (const code of [0, 1, 2, 127, 255]) {
    it(`server exits by itself with ${code} → ${code}`, async () => {
      const { handle } = await launch({
        mode: "direct",
        server: ["--exit-after-ready", "1500", "--exit-code", String(code)],
      });
      await handle.ready;
      const exit = await handle.exited;
      expect(exit).toMatchObject({ kind: "exited", code });
      expect(exitCodeFor(exit)).toBe(code);
    });
  }
  for (const [signal, expected] of [
    ["SIGTERM", 143],
    ["SIGKILL", 137],
  ] as const) {
    it(`server dies by ${signal} → ${expected}`, async () => {
      const { handle } = await launch({
        mode: "direct",
        server: ["--exit-after-ready", "1500", "--kill-self", signal],
      });
      await handle.ready;
      const exit = await handle.exited;
      expect(exit).toMatchObject({ kind: "exited", code: null, signal });
      expect(exitCodeFor(exit)).toBe(expected);
    });
  }
});

describe("startServer: zombies (cases 10, 11)", () => {
  it("case 10: 100 orphaned grandchildren do not confuse discovery, liveness or stop", async () => {
    const { handle, token } = await launch({
      mode: "daemon",
      server: ["--orphans", "100", "--workers", "1"],
    });
    await handle.found;
    await handle.ready;
    expect((await handle.stop()).kind).toBe("stopped");
    expect(await liveWithToken(token)).toEqual([]);
  });
});
