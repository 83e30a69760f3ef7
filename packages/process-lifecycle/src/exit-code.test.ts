import { describe, expect, it } from "vitest";
import { exitCodeFor, type ServerExit } from "./exit-code.ts";

type Row = [description: string, exit: Pick<ServerExit, "kind" | "code" | "signal">, expected: number];

// The README's exit-code table, row by row.
const table: Row[] = [
  ["server exited by itself with 0", { kind: "exited", code: 0, signal: null }, 0],
  ["server exited by itself with 1", { kind: "exited", code: 1, signal: null }, 1],
  ["server exited by itself with 2", { kind: "exited", code: 2, signal: null }, 2],
  ["server exited by itself with 127", { kind: "exited", code: 127, signal: null }, 127],
  ["server exited by itself with 255", { kind: "exited", code: 255, signal: null }, 255],
  ["server died by SIGTERM", { kind: "exited", code: null, signal: "SIGTERM" }, 143],
  ["server died by SIGKILL", { kind: "exited", code: null, signal: "SIGKILL" }, 137],
  ["server died by SIGSEGV", { kind: "exited", code: null, signal: "SIGSEGV" }, 139],
  ["server died by SIGHUP", { kind: "exited", code: null, signal: "SIGHUP" }, 129],
  ["server (not our child) exited, status unknown", { kind: "exited", code: null, signal: null }, 1],
  ["stopped on request within grace (JVM exit 143)", { kind: "stopped", code: 143, signal: null }, 0],
  ["stopped on request within grace (status unknown)", { kind: "stopped", code: null, signal: null }, 0],
  ["killed after the grace period", { kind: "killed", code: null, signal: "SIGKILL" }, 137],
  ["killed after the grace period (status unknown)", { kind: "killed", code: null, signal: null }, 137],
  ["failed before start", { kind: "failed", code: null, signal: null }, 1],
  ["failed before start (server crashed with 3)", { kind: "failed", code: 3, signal: null }, 1],
];

describe("exitCodeFor", () => {
  it.each(table.map(([description, exit, expected]) => ({ description, exit, expected })))(
    "$description → $expected",
    ({ exit, expected }) => {
      expect(exitCodeFor(exit)).toBe(expected);
    },
  );

  it("rejects an unknown kind (programmer error)", () => {
    expect(() => exitCodeFor({ kind: "paused" as never, code: null, signal: null })).toThrow(TypeError);
  });
});
