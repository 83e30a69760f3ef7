import { EventEmitter } from "node:events";
import { clearSecrets, registerSecret } from "@sagemaker-serve/errors";
import { afterEach, describe, expect, it } from "vitest";
import { installCrashGuard } from "./crash-guard.ts";

afterEach(() => clearSecrets());

function setup() {
  const target = new EventEmitter();
  const calls: string[] = [];
  const guard = installCrashGuard({
    target,
    write: (text) => calls.push(`write ${text}`),
    exit: (code) => calls.push(`exit ${code}`),
    exitCode: 1,
  });
  return { target, calls, guard };
}

describe("installCrashGuard", () => {
  it("runs every cleanup, then writes the error as a bug, then exits with the code", () => {
    const { target, calls, guard } = setup();
    guard.onCrash(() => {
      calls.push("kill server");
      return "killed the model server's process groups";
    });
    guard.onCrash(() => {
      throw new Error("cleanup failed");
    });
    guard.onCrash(() => {
      calls.push("nothing to do");
      return undefined;
    });
    target.emit("uncaughtException", new Error("boom"), "uncaughtException");
    expect(calls.slice(0, 2)).toEqual(["kill server", "nothing to do"]);
    expect(calls[2]).toMatch(/^write Error: boom\n\s+at /);
    expect(calls[2]).toContain("This is a bug in sagemaker-serve");
    expect(calls[2]).toMatch(
      /please report it with the lines above\.\nsagemaker-serve: killed the model server's process groups before exiting\n$/,
    );
    expect(calls[3]).toBe("exit 1");
    expect(calls).toHaveLength(4);
  });

  it("handles an unhandled rejection the same way, once, with secrets redacted", () => {
    const { target, calls } = setup();
    registerSecret("canary-crash-9f8e7d");
    target.emit("unhandledRejection", new Error("token canary-crash-9f8e7d leaked?"), Promise.resolve());
    target.emit("uncaughtException", new Error("second"));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain("token *** leaked?");
    expect(calls[0]).not.toContain("before exiting");
    expect(calls[1]).toBe("exit 1");
  });

  it("still exits when writing the error fails (stderr gone)", () => {
    const target = new EventEmitter();
    const exits: number[] = [];
    installCrashGuard({
      target,
      write: () => {
        throw new Error("EPIPE");
      },
      exit: (code) => exits.push(code),
      exitCode: 1,
    });
    target.emit("uncaughtException", "not an Error");
    expect(exits).toEqual([1]);
  });

  it("forgets a removed cleanup, and dispose() removes its listeners", () => {
    const { target, calls, guard } = setup();
    const forget = guard.onCrash(() => {
      calls.push("kill server");
      return "killed";
    });
    forget();
    expect(target.listenerCount("uncaughtException")).toBe(1);
    expect(target.listenerCount("unhandledRejection")).toBe(1);
    target.emit("uncaughtException", new Error("boom"));
    expect(calls.some((c) => c === "kill server")).toBe(false);
    guard.dispose();
    guard.dispose();
    expect(target.listenerCount("uncaughtException")).toBe(0);
    expect(target.listenerCount("unhandledRejection")).toBe(0);
  });
});
