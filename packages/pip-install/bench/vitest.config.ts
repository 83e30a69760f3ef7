import { defineServeTestConfig } from "../../../vitest.shared.ts";

/** `pnpm bench`: runs bench/*.bench.ts once, sequentially; not part of the test run. */
export default defineServeTestConfig({
  include: ["bench/**/*.bench.ts"],
  reporters: ["default"],
  testTimeout: 600_000,
  hookTimeout: 120_000,
});
