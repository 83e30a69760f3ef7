import { clearSecrets, registerSecret } from "@sagemaker-serve/errors";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

const now = () => new Date("2026-01-02T03:04:05.000Z");

afterEach(() => clearSecrets());

describe("createLogger", () => {
  it("writes text lines with the phase duration, redacted", () => {
    const lines: string[] = [];
    registerSecret("canary-secret-123");
    const log = createLogger({ write: (t) => lines.push(t), format: "text", now });
    log.phase("config", 3.4, "config written to /etc/x", { extra: "canary-secret-123" });
    log.info("ready in 12 ms", { phase: "ready", durationMs: 12 });
    expect(lines).toEqual([
      "2026-01-02T03:04:05.000Z sagemaker-serve INFO config written to /etc/x (3 ms) extra=***\n",
      "2026-01-02T03:04:05.000Z sagemaker-serve INFO ready in 12 ms\n",
    ]);
  });

  it("writes JSON lines with phase and durationMs", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (t) => lines.push(t), format: "json", now });
    log.phase("requirements", 10, "requirements installed");
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "2026-01-02T03:04:05.000Z",
      level: "info",
      logger: "sagemaker-serve",
      msg: "requirements installed (10 ms)",
      phase: "requirements",
      durationMs: 10,
    });
  });
});
