import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  nextState,
  ServerStateMachine,
  TRANSITIONS,
  type ServerState,
  type Transition,
} from "./server-state.ts";

const README = new URL("../README.md", import.meta.url);

/** The rows of the README's state table as `from --event--> to`. */
async function readmeTable(): Promise<string[]> {
  const text = await readFile(README, "utf8");
  const section = text.slice(text.indexOf("## Server states"));
  const rows = section.split("\n").filter((line) => /^\| `[a-z-]+` +\|/.test(line));
  return rows.map((row) => {
    const [from, event, to] = row
      .split("|")
      .slice(1, 4)
      .map((cell) => cell.trim().replaceAll("`", ""));
    return `${from} --${event}--> ${to}`;
  });
}

function tableRows(): string[] {
  return Object.entries(TRANSITIONS).flatMap(([from, events]) =>
    Object.entries(events).map(([event, to]) => `${from} --${event}--> ${to}`),
  );
}

describe("the server state table", () => {
  it("is the table in the README, row for row", async () => {
    expect(await readmeTable()).toEqual(tableRows());
  });

  it("every state is reachable from spawning and can reach exited; exited is final", () => {
    const states = Object.keys(TRANSITIONS) as ServerState[];
    const reachable = new Set<ServerState>(["spawning"]);
    for (let grew = true; grew;) {
      grew = false;
      for (const state of [...reachable]) {
        for (const to of Object.values(TRANSITIONS[state])) {
          if (!reachable.has(to)) {
            reachable.add(to);
            grew = true;
          }
        }
      }
    }
    expect([...reachable].sort()).toEqual([...states].sort());
    const reachesExit = (state: ServerState, seen = new Set<ServerState>()): boolean =>
      state === "exited" ||
      Object.values(TRANSITIONS[state]).some((to) => !seen.has(to) && reachesExit(to, seen.add(state)));
    expect(states.filter((state) => !reachesExit(state))).toEqual([]);
    expect(TRANSITIONS.exited).toEqual({});
  });

  it("a stop is possible until the server is gone; a kill from every running state", () => {
    for (const state of ["discovering", "probing", "ready"] as const) {
      expect(nextState(state, "stop")).toBe("stopping");
      expect(nextState(state, "kill")).toBe("killing");
    }
    expect(nextState("settling", "stop")).toBeUndefined();
    expect(nextState("stopping", "stop")).toBeUndefined();
    expect(nextState("stopping", "kill")).toBe("killing");
  });
});

describe("ServerStateMachine", () => {
  it("moves only along the table, drops outcomes of a state it has left, and aborts the left state's signal", () => {
    const steps: Transition[] = [];
    const leaves: AbortSignal[] = [];
    const machine = new ServerStateMachine((step, leave) => {
      steps.push(step);
      leaves.push(leave);
    });
    expect(machine.send("healthy")).toBe(false);
    expect(machine.send("spawned", "spawning")).toBe(true);
    expect(machine.send("stop")).toBe(true);
    // Discovery finishing late, after the stop moved the machine on.
    expect(machine.send("found", "discovering")).toBe(false);
    expect(machine.state).toBe("stopping");
    expect(leaves.map((s) => s.aborted)).toEqual([true, false]);
    expect(machine.send("kill")).toBe(true);
    expect(machine.send("grace-expired", "stopping")).toBe(false);
    expect(machine.send("all-gone")).toBe(true);
    expect(machine.send("stop")).toBe(false);
    expect(steps.map((s) => `${s.from}>${s.to}`)).toEqual([
      "spawning>discovering",
      "discovering>stopping",
      "stopping>killing",
      "killing>exited",
    ]);
  });
});
