import { describe, expect, it } from "vitest";
import { IdleWatch } from "./idle-watch.ts";

describe("IdleWatch", () => {
  it("calls back what is not touched within the timeout, spares what is touched or stopped", async () => {
    const watch = new IdleWatch(1000);
    const fired: string[] = [];
    const idle = watch.watch(() => fired.push("idle"));
    const busy = watch.watch(() => fired.push("busy"));
    const stopped = watch.watch(() => fired.push("stopped"));
    stopped.stop();
    const keepBusy = setInterval(() => busy.touch(), 20);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (fired.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    clearInterval(keepBusy);
    busy.stop();
    idle.stop();
    expect(fired).toEqual(["idle"]);
  });
});
