import { describe, expect, it } from "vitest";
import { torchServeHandlerFile, TORCHSERVE_BUILTIN_HANDLERS } from "./torchserve-layout.ts";

describe("torchServeHandlerFile", () => {
  it("built-in names copy nothing", () => {
    for (const name of TORCHSERVE_BUILTIN_HANDLERS)
      expect(torchServeHandlerFile(name, "python")).toBeUndefined();
  });

  it("adds .py to the part before the first colon when there is no .py", () => {
    expect(torchServeHandlerFile("extra/my_handler", "python")).toBe("extra/my_handler.py");
    expect(torchServeHandlerFile("extra/my_handler:custom_fn", "python3")).toBe("extra/my_handler.py");
    expect(torchServeHandlerFile("x/handler.py", "python")).toBe("x/handler.py");
  });

  it("LSP runtime: .so on Linux, .dylib on macOS, nothing for BaseHandler/TorchScriptHandler", () => {
    expect(torchServeHandlerFile("lib/h:fn", "LSP", "linux")).toBe("lib/h.so");
    expect(torchServeHandlerFile("lib/h", "LSP", "darwin")).toBe("lib/h.dylib");
    expect(torchServeHandlerFile("BaseHandler", "LSP")).toBeUndefined();
    expect(torchServeHandlerFile("TorchScriptHandler", "LSP")).toBeUndefined();
  });
});
