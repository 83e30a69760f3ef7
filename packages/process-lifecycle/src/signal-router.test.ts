import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import {
  FORWARD_SIGNALS,
  STOP_SIGNALS,
  installSignalRouter,
  type SignalRouterOptions,
} from "./signal-router.ts";

function setup() {
  const target = new EventEmitter();
  const calls: string[] = [];
  const options: SignalRouterOptions = {
    target,
    onStop: (sig) => calls.push(`stop:${sig}`),
    onEscalate: (sig) => calls.push(`escalate:${sig}`),
    onForward: (sig) => calls.push(`forward:${sig}`),
  };
  return { target, calls, router: installSignalRouter(options) };
}

describe("installSignalRouter (reliability §6 case 6: one defined behaviour per signal)", () => {
  it.each(STOP_SIGNALS)("%s starts a graceful stop and aborts the startup signal", (sig) => {
    const { target, calls, router } = setup();
    expect(router.signal.aborted).toBe(false);
    target.emit(sig, sig);
    expect(calls).toEqual([`stop:${sig}`]);
    expect(router.stopSignal).toBe(sig);
    expect(router.signal.aborted).toBe(true);
    expect(router.signal.reason).toMatchObject({
      code: "STOP_REQUESTED",
      message: `stop requested by ${sig}`,
    });
  });

  it.each(FORWARD_SIGNALS)("%s is forwarded and stops nothing", (sig) => {
    const { target, calls, router } = setup();
    target.emit(sig, sig);
    target.emit(sig, sig);
    expect(calls).toEqual([`forward:${sig}`, `forward:${sig}`]);
    expect(router.signal.aborted).toBe(false);
  });

  it("a second stop signal of any kind escalates at once; the first one is not replayed", () => {
    const { target, calls } = setup();
    target.emit("SIGTERM");
    target.emit("SIGUSR1");
    target.emit("SIGINT");
    target.emit("SIGTERM");
    expect(calls).toEqual(["stop:SIGTERM", "forward:SIGUSR1", "escalate:SIGINT", "escalate:SIGTERM"]);
  });

  it("dispose removes every listener (idempotent)", () => {
    const { target, calls, router } = setup();
    for (const sig of [...STOP_SIGNALS, ...FORWARD_SIGNALS]) expect(target.listenerCount(sig)).toBe(1);
    router.dispose();
    router.dispose();
    for (const sig of [...STOP_SIGNALS, ...FORWARD_SIGNALS]) expect(target.listenerCount(sig)).toBe(0);
    target.emit("SIGTERM");
    expect(calls).toEqual([]);
  });

  it("rejects a target that cannot listen", () => {
    expect(() =>
      installSignalRouter({
        target: {} as never,
        onStop: () => {},
        onEscalate: () => {},
        onForward: () => {},
      }),
    ).toThrow(TypeError);
  });

  it("works with the real process object and a real signal", async () => {
    const calls: string[] = [];
    const router = installSignalRouter({
      target: process,
      onStop: (sig) => calls.push(`stop:${sig}`),
      onEscalate: (sig) => calls.push(`escalate:${sig}`),
      onForward: (sig) => calls.push(`forward:${sig}`),
    });
    try {
      process.kill(process.pid, "SIGUSR2");
      await new Promise<void>((resolve) => {
        const check = (): void => (calls.length > 0 ? resolve() : void setTimeout(check, 5));
        check();
      });
      expect(calls).toEqual(["forward:SIGUSR2"]);
    } finally {
      router.dispose();
    }
  });
});
