import { clearSecrets, registerSecret } from "@sagemaker-serve/errors";
import { afterEach, describe, expect, it } from "vitest";
import { ToolError, runTool, type RunToolOptions } from "../src/index.ts";
import { NODE, TOOL, liveWithToken, trackedToken } from "./helpers.ts";

function tool(token: string, args: string[], extra: Partial<RunToolOptions> = {}): Promise<unknown> {
  return runTool({
    command: NODE,
    args: [TOOL, "--token", token, ...args],
    env: { PATH: process.env.PATH },
    name: "tool",
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

afterEach(() => clearSecrets());

describe("runTool", () => {
  it("streams redacted lines from stdout and stderr and resolves with the tail", async () => {
    const token = trackedToken();
    registerSecret("s3cr3t-token-value");
    const lines: string[] = [];
    const result = await tool(
      token,
      ["--print", "one", "--print", "url https://aws:s3cr3t-token-value@host/simple/", "--stderr", "warn"],
      {
        onLine: (line, stream) => lines.push(`${stream}:${line}`),
      },
    );
    expect(lines).toContain("stdout:one");
    expect(lines).toContain("stdout:url https://***@host/simple/");
    expect(lines).toContain("stderr:warn");
    expect(lines.join("\n")).not.toContain("s3cr3t");
    expect(result).toMatchObject({ exitCode: 0, tail: expect.arrayContaining(["one", "warn"]) });
  });

  it("a non-zero exit is TOOL_FAILED with code, duration and a redacted tail, never the command line", async () => {
    const token = trackedToken();
    registerSecret("s3cr3t-token-value");
    const error = await failure(
      tool(token, [
        "--print",
        "ERROR: no matching distribution s3cr3t-token-value",
        "--exit",
        "3",
        "--index-url",
        "https://aws:s3cr3t-token-value@x/",
      ]),
    );
    expect(error).toMatchObject({ code: "TOOL_FAILED", exitCode: 3, signal: null });
    expect(error.message).toMatch(/^tool exited with code 3 after \d+ ms$/);
    expect(error.durationMs).toBeGreaterThanOrEqual(0);
    expect(error.tail).toEqual(["ERROR: no matching distribution ***"]);
    expect(JSON.stringify({ ...error, message: error.message, hint: error.hint })).not.toContain("s3cr3t");
    expect(error.message).not.toContain("--index-url");
    expect(error.cause).toBeUndefined();
  });

  it("the timeout kills the whole group, grandchildren included (TOOL_TIMEOUT)", async () => {
    const token = trackedToken();
    // sh ignores SIGTERM from its first instruction (and its sleep inherits that), so only SIGKILL ends it.
    const script = `trap "" TERM; "$1" -e "setInterval(() => {}, 1e9)" "$0" & sleep 60; wait`;
    const error = await failure(
      runTool({
        command: "sh",
        args: ["-c", script, token, NODE],
        env: { PATH: process.env.PATH },
        // Long enough for sh to reach its trap on a loaded machine, or SIGTERM alone would end it.
        timeoutMs: 1000,
        killGraceMs: 200,
      }),
    );
    expect(error).toMatchObject({ code: "TOOL_TIMEOUT", signal: "SIGKILL" });
    expect(error.message).toBe("sh did not finish within 1000 ms and was killed");
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("aborting kills the group (TOOL_ABORTED); an aborted signal spawns nothing", async () => {
    const token = trackedToken();
    const controller = new AbortController();
    const running = tool(token, ["--grandchild", "--sleep", "60000"], { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const error = await failure(running);
    expect(error).toMatchObject({ code: "TOOL_ABORTED", signal: "SIGTERM" });
    expect(await liveWithToken(token)).toEqual([]);
    expect(await failure(tool(token, [], { signal: controller.signal }))).toMatchObject({
      code: "TOOL_ABORTED",
      exitCode: null,
    });
  });

  it("a grandchild holding the pipes after a successful exit neither hangs the call nor survives", async () => {
    const token = trackedToken();
    await expect(tool(token, ["--grandchild", "--print", "done"])).resolves.toMatchObject({ exitCode: 0 });
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("a missing executable is TOOL_SPAWN_FAILED without its arguments", async () => {
    const error = await failure(
      runTool({
        command: "/nonexistent/pip",
        args: ["install", "--index-url", "https://aws:tok@x/"],
        env: {},
      }),
    );
    expect(error).toMatchObject({ code: "TOOL_SPAWN_FAILED", message: "could not start pip: ENOENT" });
  });

  it("programmer misuse is a TypeError", () => {
    expect(() => runTool({ command: "", args: [], env: {} })).toThrow(TypeError);
    expect(() => runTool({ command: "x", args: [1 as never], env: {} })).toThrow(TypeError);
    expect(() => runTool({ command: "x", args: [], env: {}, timeoutMs: 0 })).toThrow(TypeError);
  });
});
