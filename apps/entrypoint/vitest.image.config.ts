import { defineServeTestConfig } from "../../vitest.shared.ts";

// The image tests (`pnpm --filter @sagemaker-serve/entrypoint test:image`): one file, run alone, with the time a
// cold Debian base and two image builds take on a loaded 2-core machine.
export default defineServeTestConfig({
  include: ["test/image/**/*.test.ts"],
  reporters: ["default", ["json", { outputFile: "test-results.image.json" }]],
  testTimeout: 300_000,
  hookTimeout: 600_000,
});
