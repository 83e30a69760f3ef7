export { makeTempDir, useTempDir, type TempDir, type TempDirOptions } from "./temp-dir.ts";
export { waitFor, type WaitForOptions } from "./wait-for.ts";
export { freePort } from "./free-port.ts";
