import { defineServeTestConfig } from "../../vitest.shared.ts";

// pip runs spend much of their time waiting on the local index (slow and silent modes): let files overlap.
export default defineServeTestConfig({ maxWorkers: 3 });
