import { execFile } from "node:child_process";

/**
 * The value of one sample in a Prometheus text exposition: `name` with exactly `labels` (order-free); undefined
 * when absent.
 */
export function sampleValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = (match[2] ?? "")
      .split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/)
      .filter((part) => part !== "")
      .sort()
      .join(",");
    if (found === wanted) return Number(match[3]);
  }
  return undefined;
}

/** Runs `promtool check metrics` on the text; resolves with its output (it exits non-zero on problems). */
export function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile("promtool", ["check", "metrics"], (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") reject(error);
      else resolve({ code: error === null ? 0 : (error.code as number), output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}
