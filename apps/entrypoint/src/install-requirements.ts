import { ServeError } from "@sagemaker-serve/errors";
import type { InstallRequirements } from "./runtime.ts";

// Replaced by @sagemaker-serve/pip-install's installer as soon as that package lands.
export const installRequirementsWithPip: InstallRequirements = async () => {
  throw new ServeError("REQUIREMENTS_FAILED", "this build has no pip installer yet", {
    hint: "rebuild sagemaker-serve with @sagemaker-serve/pip-install",
  });
};
