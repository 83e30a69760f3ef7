import { defineServeTestConfig } from "../../vitest.shared.ts";

export default defineServeTestConfig();
