import { defineServeTestConfig } from "../../vitest.shared.ts";

// The process tests mostly wait on real processes, not the CPU: a few files at once keep the run short.
export default defineServeTestConfig({ maxWorkers: 3 });
