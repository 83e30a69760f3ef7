import { defineServeTestConfig } from "../../vitest.shared.ts";

// Strict: a promise chain left without a handler fails the run instead of passing unnoticed.
export default defineServeTestConfig({ execArgv: ["--unhandled-rejections=strict"] });
