// Shared by the fake launcher, server and worker: flavour constants, knobs, and the record file.
import process from "node:process";
import { appendFileSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export const FLAVORS = {
  mms: {
    launcher: "multi-model-server",
    mainClass: "com.amazonaws.ml.mms.ModelServer",
    configFlag: "--mms-config",
    configEnv: "MMS_CONFIG_FILE",
    envPrefix: "MMS_",
    product: "MMS",
    workerScript: "mms/model_service_worker.py",
    frontend: "mms/frontend/*",
  },
  torchserve: {
    launcher: "torchserve",
    mainClass: "org.pytorch.serve.ModelServer",
    configFlag: "--ts-config",
    configEnv: "TS_CONFIG_FILE",
    envPrefix: "TS_",
    product: "TorchServe",
    workerScript: "ts/model_service_worker.py",
    frontend: "ts/frontend/*",
  },
};

/** Reads a knob: `FAKE_MMS_<NAME>` (both flavours honour the same knobs). */
export function knob(name, fallback) {
  const value = process.env[`FAKE_MMS_${name}`];
  return value === undefined || value === "" ? fallback : value;
}

export function numberKnob(name, fallback) {
  const value = knob(name, undefined);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`FAKE_MMS_${name} is not a number: ${value}`);
  return parsed;
}

/** Python's tempfile.gettempdir() order, limited to the variables (the fakes never fall back to cwd). */
export function pythonTempDir() {
  for (const name of ["TMPDIR", "TEMP", "TMP"]) {
    const value = process.env[name];
    if (value) return value;
  }
  return "/tmp";
}

export function pidFilePath() {
  return `${pythonTempDir()}/.model_server.pid`;
}

/** argv as the kernel shows it (/proc/self/cmdline), so records show what a process-table scan sees. */
export function ownCmdline() {
  try {
    return readFileSync("/proc/self/cmdline", "utf8").split("\0").slice(0, -1);
  } catch {
    return [process.argv0, ...process.argv.slice(1)];
  }
}

export function ownProcessGroup() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[2]);
}

/** Appends one JSON line to the file named by FAKE_MMS_RECORD, if set. Sync so it lands before an exit. */
export function record(role, data) {
  const file = knob("RECORD", undefined);
  if (file === undefined) return;
  const entry = {
    role,
    pid: process.pid,
    ppid: process.ppid,
    pgid: ownProcessGroup(),
    cmdline: ownCmdline(),
    cwd: process.cwd(),
    env: { ...process.env },
    time: Date.now(),
    // Wall-clock time at which this process started (node's time origin), for latency measurements.
    timeOrigin: Math.round(performance.timeOrigin),
    ...data,
  };
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** True when `pid` exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}
