// Bundled separately and embedded as text (scripts/build.mjs): the AWS SDK is parsed only when used.
export { resolvePipIndex } from "@sagemaker-serve/codeartifact-auth";
