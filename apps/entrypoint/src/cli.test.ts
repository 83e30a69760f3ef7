import { describe, expect, it } from "vitest";
import type { CommandIo } from "./commands/command-io.ts";
import { runCli, type CommandSpec } from "./cli.ts";

function capture(): { io: CommandIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      cwd: "/",
      env: {},
      signal: new AbortController().signal,
      isTTY: false,
    },
  };
}

function commands(calls: string[][]): Record<string, CommandSpec> {
  const record = (name: string) => async (args: string[]) => {
    calls.push([name, ...args]);
    return 0;
  };
  return {
    serve: { summary: "start the server", run: record("serve") },
    config: { summary: "print the config", run: record("config") },
    "model-server": { summary: "internal", run: record("model-server"), hidden: true },
  };
}

describe("runCli", () => {
  it("runs serve when argv is empty", async () => {
    const calls: string[][] = [];
    const { io } = capture();
    expect(await runCli([], io, { version: "1.2.3", commands: commands(calls) })).toBe(0);
    expect(calls).toEqual([["serve"]]);
  });

  it("passes the remaining arguments to the command", async () => {
    const calls: string[][] = [];
    const { io } = capture();
    await runCli(["config", "--format", "json"], io, { version: "1", commands: commands(calls) });
    expect(calls).toEqual([["config", "--format", "json"]]);
  });

  it("refuses an unknown command with one line listing the visible commands", async () => {
    const calls: string[][] = [];
    const { io, err } = capture();
    expect(await runCli(["train"], io, { version: "1", commands: commands(calls) })).toBe(2);
    expect(calls).toEqual([]);
    expect(err.join("")).toBe(
      'sagemaker-serve: unknown command "train"; commands: serve, config (see sagemaker-serve --help)\n',
    );
  });

  it("does not treat inherited object keys as commands", async () => {
    const { io } = capture();
    expect(await runCli(["constructor"], io, { version: "1", commands: commands([]) })).toBe(2);
  });

  it("prints the version and the help", async () => {
    const { io, out } = capture();
    await runCli(["--version"], io, { version: "1.2.3", commands: commands([]) });
    await runCli(["--help"], io, { version: "1.2.3", commands: commands([]) });
    expect(out[0]).toBe("1.2.3\n");
    expect(out[1]).toContain("  serve   start the server");
    expect(out[1]).not.toContain("model-server");
  });
});
