import { startServer, type ServerEvent, type ServerHandle, type StartServerSpec } from "../src/index.ts";
import type { TreeSource } from "../src/process-tree.ts";
import type { ServerState } from "../src/server-state.ts";
import { FAKE_SERVER, NODE, freePort, mmsHealthy, pingUrl, trackedToken, unique } from "./helpers.ts";

export interface LaunchOptions {
  /** direct: the server is the spawned process (no main class); the others go through the fake launcher. */
  mode?: "direct" | "foreground" | "daemon" | "double-fork" | "no-server";
  /** Reuse another launch's main class (default: a fresh unique one). */
  mainClass?: string;
  server?: string[];
  launcherArgs?: string[];
  startupTimeoutMs?: number;
  stopGraceMs?: number;
  signal?: AbortSignal;
  treeSource?: TreeSource;
  env?: Record<string, string | undefined>;
  /** Serve /ping on a port (default true). */
  http?: boolean;
  /** Pass `foreground: true` to startServer. */
  foreground?: boolean;
}

export interface Launched {
  handle: ServerHandle;
  mainClass: string;
  token: string;
  port: number;
  lines: string[];
  events: ServerEvent[];
  /** The states the server went through, starting with `spawning`. */
  states: ServerState[];
}

/** Starts the fake server through `startServer`; the test's end stops it and asserts nothing is left. */
export async function launch(options: LaunchOptions = {}): Promise<Launched> {
  const { mode = "foreground", server = [], startupTimeoutMs = 10_000, stopGraceMs = 2000 } = options;
  const cleanups: (() => Promise<unknown>)[] = [];
  const token = trackedToken(cleanups);
  const mainClass = options.mainClass ?? unique("com.example.test.ModelServer");
  const port = await freePort();
  const serverArgs = [
    "-Dmodel_server_home=/fake",
    "-cp",
    ".:/fake/*",
    "--main-class",
    mainClass,
    ...(options.http === false ? [] : ["--port", String(port)]),
    "--token",
    token,
    ...server,
  ];
  const args =
    mode === "direct"
      ? [FAKE_SERVER, "server", ...serverArgs]
      : [
          FAKE_SERVER,
          "launcher",
          "--mode",
          mode,
          "--token",
          token,
          ...(options.launcherArgs ?? []),
          "--",
          ...serverArgs,
        ];
  const lines: string[] = [];
  const events: ServerEvent[] = [];
  const states: ServerState[] = ["spawning"];
  const spec: StartServerSpec = {
    command: NODE,
    args,
    env: options.env ?? { PATH: process.env.PATH },
    ...(mode === "direct" ? {} : { mainClass }),
    readiness: { url: pingUrl(port), isHealthy: mmsHealthy },
    startupTimeoutMs,
    stopGraceMs,
    output: { onLine: (line) => lines.push(line) },
    onEvent: (event) => events.push(event),
    onStateChange: (step) => states.push(step.to),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.treeSource ? { treeSource: options.treeSource } : {}),
    ...(options.foreground ? { foreground: true } : {}),
  };
  const handle = startServer(spec);
  cleanups.push(() => handle.kill({ reason: "test-cleanup" }));
  return { handle, mainClass, token, port, lines, events, states };
}
