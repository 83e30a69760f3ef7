import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) throw new Error(`cannot read wrk latency "${value}"`);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as "us" | "ms" | "s" | "m"];
  return Number(match[1]) * factor;
}

/** Runs wrk (2 threads at most) and reads its throughput and latency; throws when it saw non-2xx answers. */
export async function wrk(
  url: string,
  connections: number,
  seconds: number,
  script?: string,
): Promise<WrkResult> {
  const args = [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${seconds}s`, "--latency"];
  if (script) args.push("-s", script);
  const { stdout } = await run("wrk", [...args, url], { maxBuffer: 1 << 20 });
  const latency = (pct: string) => toMs(new RegExp(`^\\s+${pct}%\\s+(\\S+)`, "m").exec(stdout)![1]!);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
  const requests = Number(/(\d+) requests in/.exec(stdout)![1]);
  if (/Non-2xx or 3xx responses/.test(stdout)) throw new Error(`wrk saw errors:\n${stdout}`);
  return { rps, p50: latency("50"), p99: latency("99"), requests };
}
