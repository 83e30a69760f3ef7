import { defineServeTestConfig } from "../../../vitest.shared.ts";

export default defineServeTestConfig({
  include: ["bench/**/*.run.ts"],
  testTimeout: 900_000,
  hookTimeout: 900_000,
  reporters: ["default"],
});
