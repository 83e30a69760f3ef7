import { describe, expect, it } from "vitest";
import { EnvInvalidError } from "./errors.ts";
import { parseServeEnvironment } from "./parse-serve-environment.ts";

// [variable, bad value, the exact problem line in the ENV_INVALID message]; extra env where a row needs context.
const BAD_VALUES: ReadonlyArray<readonly [string, string, string, Record<string, string>?]> = [
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT", "", 'not an integer (got "")'],
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT", "20.0", 'not an integer (got "20.0")'],
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT", "1__0", 'not an integer (got "1__0")'],
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT", "-5", 'must be at least 0 (got "-5")'],
  [
    "SAGEMAKER_MODEL_SERVER_TIMEOUT",
    "2147483648",
    'must be at most 2147483647 (the server reads it as a Java int) (got "2147483648")',
  ],
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS", "", 'not an integer (got "")'],
  ["SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS", "30s", 'not an integer (got "30s")'],
  ["SAGEMAKER_STARTUP_TIMEOUT", "0x10", 'not an integer (got "0x10")'],
  ["SAGEMAKER_STARTUP_TIMEOUT", "9999999", 'must be at most 2147483 (about 24.8 days) (got "9999999")'],
  ["SAGEMAKER_STARTUP_TIMEOUT", "6\u00000", 'not an integer (got "6\\u00000")'],
  ["SAGEMAKER_MAX_PAYLOAD_IN_MB", "1e3", 'not an integer (got "1e3")'],
  [
    "SAGEMAKER_MAX_PAYLOAD_IN_MB",
    "4096",
    'must be at most 2047 (max_request_size is a Java int of bytes) (got "4096")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_WORKERS",
    "2\nplugins_path=/tmp/evil",
    'must be a whole number 0-1024 (got "2\\nplugins_path=/tmp/evil")',
  ],
  ["SAGEMAKER_MODEL_SERVER_WORKERS", "four", 'must be a whole number 0-1024 (got "four")'],
  ["SAGEMAKER_MODEL_SERVER_WORKERS", "-1", 'must be a whole number 0-1024 (got "-1")'],
  ["SAGEMAKER_BIND_TO_PORT", "0", 'not a port number 1-65535 (got "0")'],
  ["SAGEMAKER_BIND_TO_PORT", "65536", 'not a port number 1-65535 (got "65536")'],
  ["SAGEMAKER_BIND_TO_PORT", "8080\r", 'not a port number 1-65535 (got "8080\\r")'],
  ["SAGEMAKER_BIND_TO_PORT", "", 'not a port number 1-65535 (got "")'],
  [
    "SAGEMAKER_SAFE_PORT_RANGE",
    "2222-1111",
    'must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535 (got "2222-1111")',
  ],
  ["SAGEMAKER_SAFE_PORT_RANGE", "1111", 'must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535 (got "1111")'],
  ["SAGEMAKER_SAFE_PORT_RANGE", "0-100", 'must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535 (got "0-100")'],
  [
    "SAGEMAKER_SAFE_PORT_RANGE",
    "1111-70000",
    'must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535 (got "1111-70000")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g\ninference_address=http://127.0.0.1:1",
    'contains a line feed (LF) (got "-Xmx1g\\ninference_address=http://127.0.0.1:1")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g\rmodel_store=/tmp/evil",
    'contains a carriage return (CR) (got "-Xmx1g\\rmodel_store=/tmp/evil")',
  ],
  ["SAGEMAKER_MODEL_SERVER_VMARGS", "-Xmx1g\u0000", 'contains a NUL character (got "-Xmx1g\\u0000")'],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g\u001b[31m",
    'contains a control character (U+001B) (got "-Xmx1g\\u001b[31m")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g\u2028-Dx=1",
    'contains a control character (U+2028) (got "-Xmx1g\\u2028-Dx=1")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g\\",
    'ends with a backslash, which would join the next line of the properties file into this value (got "-Xmx1g\\\\")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Djava.io.tmpdir=C:\\tmp\\new",
    'contains a backslash, which Java properties would read as an escape (got "-Djava.io.tmpdir=C:\\\\tmp\\\\new")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Dx=\\u000a",
    'contains a backslash, which Java properties would read as an escape (got "-Dx=\\\\u000a")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Dx=$$HOME$$",
    'contains "$", which MMS and TorchServe would treat as a $$VAR$$ substitution (got "-Dx=$$HOME$$")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Dname=café",
    'contains a non-ASCII character, which Java would read as ISO-8859-1 (got "-Dname=café")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-Xmx1g evil.Main",
    'has "evil.Main", which is not a JVM option starting with "-" (it would become the Java main class) (got "-Xmx1g evil.Main")',
  ],
  [
    "SAGEMAKER_MODEL_SERVER_VMARGS",
    "-cp",
    'has "-cp", which would replace the model server\'s own class path or main class (got "-cp")',
  ],
  ["SAGEMAKER_BASE_DIR", "opt/ml", 'must be an absolute path (got "opt/ml")'],
  ["SAGEMAKER_BASE_DIR", "", 'must be an absolute path (got "")'],
  ["SAGEMAKER_BASE_DIR", "/opt/ml:/tmp", 'contains ":", which would split PYTHONPATH (got "/opt/ml:/tmp")'],
  [
    "SAGEMAKER_BASE_DIR",
    "/opt/a,b",
    'contains ",", which MMS would split the --models list on (got "/opt/a,b")',
  ],
  ["SAGEMAKER_BASE_DIR", "/opt/ml\n", 'contains a line feed (LF) (got "/opt/ml\\n")'],
  ["SAGEMAKER_PROGRAM", "main.py\u0007", 'contains a control character (U+0007) (got "main.py\\u0007")'],
  [
    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT",
    "json",
    'must be a media type such as application/json (got "json")',
  ],
  ["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "", 'must be a media type such as application/json (got "")'],
  [
    "SAGEMAKER_HANDLER",
    "h$ndler",
    'contains "$", which MMS and TorchServe would treat as a $$VAR$$ substitution (got "h$ndler")',
    { SAGEMAKER_MULTI_MODEL: "true" },
  ],
  [
    "SAGEMAKER_HANDLER",
    "C:\\path",
    'contains a backslash, which Java properties would read as an escape (got "C:\\\\path")',
    { SAGEMAKER_MULTI_MODEL: "true" },
  ],
  [
    "SAGEMAKER_HANDLER",
    "my handler",
    'must be a module name or file path made of letters, digits and _ . / : @ + - (got "my handler")',
    { SAGEMAKER_MULTI_MODEL: "true" },
  ],
  [
    "CA_REPOSITORY_ARN",
    "invalid_arn",
    'invalid CodeArtifact repository arn invalid_arn: expected arn:<partition>:codeartifact:<region>:<account>:repository/<domain>/<repository> (got "invalid_arn")',
  ],
  ["PYTHONPATH", "/a\n/b", 'contains a line feed (LF) (got "/a\\n/b")'],
  ["SAGEMAKER_TS_BATCH_SIZE", "0", 'must be at least 1 (got "0")'],
  ["SAGEMAKER_TS_MAX_BATCH_DELAY", "fast", 'not an integer (got "fast")'],
  [
    "SAGEMAKER_TS_MIN_WORKERS",
    "8",
    'must not exceed SAGEMAKER_TS_MAX_WORKERS (4) (got "8")',
    { SAGEMAKER_TS_MAX_WORKERS: "4" },
  ],
  ["SAGEMAKER_TS_RESPONSE_TIMEOUT", "", 'not an integer (got "")'],
  ["SAGEMAKER_SERVE_BACKEND", "MMS", 'must be one of auto, mms, torchserve, builtin (got "MMS")'],
  [
    "SAGEMAKER_SERVE_HANDLER",
    "x\\",
    'ends with a backslash, which would join the next line of the properties file into this value (got "x\\\\")',
  ],
  [
    "SAGEMAKER_SERVE_HANDLER",
    "handler=evil",
    'must be a module name or file path made of letters, digits and _ . / : @ + - (got "handler=evil")',
  ],
  ["SAGEMAKER_SERVE_CONFIG_PATH", "config.properties", 'must be an absolute path (got "config.properties")'],
  ["SAGEMAKER_SERVE_STOP_GRACE_SECONDS", "25.5", 'not an integer (got "25.5")'],
  ["SAGEMAKER_SERVE_PYTHON", "python3\t-c", 'contains a tab (got "python3\\t-c")'],
  ["SAGEMAKER_SERVE_LOG_FORMAT", "JSON", 'must be one of text, json (got "JSON")'],
  ["SAGEMAKER_SERVE_PIP_FORCE", "1", 'must be true or false (got "1")'],
  ["SAGEMAKER_SERVE_PIP_ALLOW_INDEX_OPTIONS", "yes", 'must be true or false (got "yes")'],
  ["SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS", "0", 'must be at least 1 (got "0")'],
];

describe(`ENV_INVALID names the problem for each of ${BAD_VALUES.length} bad values`, () => {
  it("has at least 30 rows", () => {
    expect(BAD_VALUES.length).toBeGreaterThanOrEqual(30);
  });

  const rows = BAD_VALUES.map(
    ([name, value, expected, context = {}]) => [name, value, expected, context] as const,
  );
  it.each(rows)("%s=%j", (name, value, expected, context) => {
    let caught: unknown;
    try {
      parseServeEnvironment({ ...context, [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvInvalidError);
    const error = caught as EnvInvalidError;
    expect(error.code).toBe("ENV_INVALID");
    expect(error.message).toBe(`1 environment variable is invalid: ${name}: ${expected}`);
  });
});
