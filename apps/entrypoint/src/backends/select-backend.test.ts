import { describe, expect, it } from "vitest";
import { isHealthyStatusBody } from "./backend.ts";
import { selectBackend } from "./select-backend.ts";

const onPath = (names: string[]) => async (name: string) =>
  names.includes(name) ? `/usr/bin/${name}` : undefined;

describe("selectBackend", () => {
  it("auto prefers MMS, then TorchServe, then the built-in server, and says why", async () => {
    const both = await selectBackend("auto", onPath(["multi-model-server", "torchserve"]));
    expect(both.backend.name).toBe("mms");
    expect(both.reason).toBe("auto: multi-model-server found at /usr/bin/multi-model-server");
    expect((await selectBackend("auto", onPath(["torchserve"]))).backend.name).toBe("torchserve");
    const none = await selectBackend("auto", onPath([]));
    expect(none.backend.name).toBe("builtin");
    expect(none.reason).toBe("auto: neither multi-model-server nor torchserve is on PATH");
  });

  it("uses an explicit backend even when its launcher is missing", async () => {
    const choice = await selectBackend("torchserve", onPath([]));
    expect(choice.backend.name).toBe("torchserve");
    expect(choice.launcherPath).toBeUndefined();
  });
});

describe("isHealthyStatusBody", () => {
  it("accepts only a 200 whose JSON status is Healthy", () => {
    expect(isHealthyStatusBody(200, '{"status": "Healthy"}')).toBe(true);
    expect(isHealthyStatusBody(200, '{"status": "Unhealthy"}')).toBe(false);
    expect(isHealthyStatusBody(200, '{"status": "Partial Healthy"}')).toBe(false);
    expect(isHealthyStatusBody(500, '{"status": "Healthy"}')).toBe(false);
    expect(isHealthyStatusBody(200, "")).toBe(false);
  });
});
