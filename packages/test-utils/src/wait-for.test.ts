import { describe, expect, it } from "vitest";
import { waitFor } from "./wait-for.ts";

describe("waitFor", () => {
  it("returns the first truthy value", async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it("accepts 0 and empty string as values", async () => {
    expect(await waitFor(() => 0)).toBe(0);
    expect(await waitFor(() => "")).toBe("");
  });

  it("throws at the deadline naming the condition and the last error", async () => {
    await expect(
      waitFor(
        () => {
          throw new Error("not yet");
        },
        { timeoutMs: 50, intervalMs: 5, description: "server up" },
      ),
    ).rejects.toThrow("waitFor: server up not met within 50 ms; last error: not yet");
  });
});
