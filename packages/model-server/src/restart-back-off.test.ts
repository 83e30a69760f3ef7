import { describe, expect, it } from "vitest";
import { BACK_OFF_MS, RestartBackOff } from "./restart-back-off.ts";

describe("RestartBackOff", () => {
  it("waits MMS's delays by consecutive failures, capped at the last, and starts over after a load", () => {
    const backOff = new RestartBackOff();
    const delays = [backOff.delayMs];
    for (let i = 0; i < BACK_OFF_MS.length + 2; i++) {
      backOff.failed();
      delays.push(backOff.delayMs);
    }
    expect(delays.slice(0, 6)).toEqual([0, 1000, 1000, 2000, 3000, 5000]);
    expect(delays.at(-1)).toBe(55_000);
    backOff.succeeded();
    expect(backOff.delayMs).toBe(0);
  });

  it("is pending from schedule until the restart runs or is cancelled", async () => {
    const backOff = new RestartBackOff();
    const ran = new Promise<boolean>((resolve) => backOff.schedule(() => resolve(backOff.pending)));
    expect(backOff.pending).toBe(true);
    expect(await ran).toBe(false);
    backOff.failed();
    backOff.schedule(() => {
      throw new Error("a cancelled restart ran");
    });
    backOff.cancel();
    expect(backOff.pending).toBe(false);
  });
});
