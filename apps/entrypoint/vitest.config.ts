import { configDefaults } from "vitest/config";
import { defineServeTestConfig } from "../../vitest.shared.ts";

// test/image/ builds and runs the example images: its own turbo task (test:image, vitest.image.config.ts).
export default defineServeTestConfig({ exclude: [...configDefaults.exclude, "test/image/**"] });
