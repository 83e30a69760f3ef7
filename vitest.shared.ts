import { defineConfig, type ViteUserConfig } from "vitest/config";

// In-repo packages resolve to their TypeScript sources through this exports condition (tsconfig.base.json's
// customConditions, the entrypoint's esbuild `conditions`), so tests need no package build. The rest are vitest's
// own defaults for Node, which a `conditions` list replaces.
const conditions = ["@sagemaker-serve/source", "node", "development|production"];

/** The one vitest config every package extends: JSON results for `.ci/run`, generous timeouts for real processes. */
export function defineServeTestConfig(overrides: ViteUserConfig["test"] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
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
