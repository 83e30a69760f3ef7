export { ServeError, isServeError, type ServeErrorOptions } from "./serve-error.ts";
export { redact, redactArgs, REDACTED } from "./redact.ts";
export { registerSecret, unregisterSecret, clearSecrets, registeredSecrets } from "./secret-registry.ts";
export { LineRedactor, type LineRedactorOptions } from "./line-redactor.ts";
export { formatError, BUG_NOTICE, type FormatErrorOptions } from "./format-error.ts";
