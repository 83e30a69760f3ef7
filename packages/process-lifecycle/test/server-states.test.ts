import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { liveWithToken } from "./helpers.ts";
import { launch } from "./launch.ts";

// The paths through the state table that used to be implicit in shared flags, each with real processes.
describe("startServer: state transitions", () => {
  it("a stop during discovery: discovering → stopping → exited; found and ready reject STARTUP_ABORTED", async () => {
    const { handle, states } = await launch({ mode: "no-server", startupTimeoutMs: 60_000 });
    await waitFor(() => handle.state === "discovering");
    const exit = await handle.stop({ reason: "test" });
    expect(states).toEqual(["spawning", "discovering", "stopping", "exited"]);
    await expect(handle.found).rejects.toMatchObject({ code: "STARTUP_ABORTED" });
    await expect(handle.ready).rejects.toMatchObject({ code: "STARTUP_ABORTED" });
    expect(exit).toMatchObject({ kind: "stopped", stoppedBy: "test" });
  });

  it("kill() while ready goes straight to killing: SIGKILL, no SIGTERM first", async () => {
    const { handle, states, events } = await launch({ mode: "direct" });
    await handle.ready;
    const exit = await handle.kill({ reason: "test" });
    expect(states).toEqual(["spawning", "discovering", "probing", "ready", "killing", "exited"]);
    expect(exit).toMatchObject({ kind: "killed", signal: "SIGKILL", stoppedBy: "test" });
    expect(events.map((e) => e.type)).toEqual([
      "spawned",
      "found",
      "ready",
      "stopping",
      "escalated",
      "exited",
    ]);
  });

  it("a server that dies before it is ready: probing → stopping (startup-failed) → exited", async () => {
    const { handle, states } = await launch({
      mode: "direct",
      server: ["--ready-after", "60000", "--exit-after", "100", "--exit-code", "4"],
      startupTimeoutMs: 60_000,
    });
    const exit = await handle.exited;
    expect(states).toEqual(["spawning", "discovering", "probing", "stopping", "exited"]);
    expect(exit).toMatchObject({ kind: "failed", code: 4, stoppedBy: "startup-failed" });
  });

  it("the server gone by itself with workers left: ready → settling → killing (no escalation reported) → exited", async () => {
    const { handle, states, events, token } = await launch({
      mode: "daemon",
      server: ["--workers", "2", "--workers-stay"],
    });
    const { pid } = await handle.found;
    await handle.ready;
    await waitFor(async () => (await liveWithToken(token)).length === 3);
    process.kill(pid, "SIGKILL");
    const exit = await handle.exited;
    expect(states).toEqual(["spawning", "discovering", "probing", "ready", "settling", "killing", "exited"]);
    expect(exit).toMatchObject({ kind: "exited", stoppedBy: null });
    expect(events.map((e) => e.type)).not.toContain("escalated");
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("after exited, stop(), kill() and signal() change nothing", async () => {
    const { handle, states } = await launch({ mode: "direct", server: ["--exit-after-ready", "2000"] });
    const exit = await handle.exited;
    expect(states.slice(-3)).toEqual(["ready", "settling", "exited"]);
    expect(await handle.stop({ reason: "late" })).toBe(exit);
    expect(await handle.kill({ reason: "late" })).toBe(exit);
    expect(handle.signal("SIGTERM")).toBe(false);
    expect(handle.state).toBe("exited");
    expect(exit).toMatchObject({ kind: "exited", stoppedBy: null, code: 0 });
  });

  it("an already aborted signal: spawning → exited, nothing spawned", async () => {
    const { handle, states } = await launch({ mode: "direct", signal: AbortSignal.abort() });
    const exit = await handle.exited;
    expect(states).toEqual(["spawning", "exited"]);
    expect(handle.launcherPid).toBeUndefined();
    expect(exit).toMatchObject({ kind: "stopped", stoppedBy: "abort", launcher: null });
  });
});
