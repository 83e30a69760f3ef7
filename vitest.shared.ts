import { defineConfig, type ViteUserConfig } from "vitest/config";

/** The one vitest config every package extends: JSON results for `.ci/run`, generous timeouts for real processes. */
export function defineServeTestConfig(overrides: ViteUserConfig["test"] = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: "test-results.json" }]],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", AWS_EC2_METADATA_DISABLED: "true" },
      ...overrides,
    },
  });
}
