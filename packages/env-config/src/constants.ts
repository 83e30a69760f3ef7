/** The toolkit's default handler service (`sagemaker_inference.default_handler_service`). */
export const DEFAULT_HANDLER_SERVICE = "sagemaker_inference.default_handler_service";
/** The PyTorch toolkit's default handler service (`torchserve.DEFAULT_HANDLER_SERVICE`), used for TorchServe. */
export const TS_DEFAULT_HANDLER_SERVICE = "sagemaker_pytorch_serving_container.handler_service";
/** The model name the toolkits register a single model under. */
export const DEFAULT_MODEL_NAME = "model";
/** Where the inference toolkit writes the MMS config. */
export const MMS_CONFIG_FILE = "/etc/sagemaker-mms.properties";
/** Where the PyTorch toolkit writes the TorchServe config. */
export const TS_CONFIG_FILE = "/etc/sagemaker-ts.properties";
/** Where we write the built-in server's JSON config by default. */
export const BUILTIN_CONFIG_FILE = "/etc/sagemaker-serve-builtin.json";
/** The Java main class that identifies the MMS server process. */
export const MMS_MAIN_CLASS = "com.amazonaws.ml.mms.ModelServer";
/** The Java main class that identifies the TorchServe server process. */
export const TS_MAIN_CLASS = "org.pytorch.serve.ModelServer";
/** MMS's own `max_request_size` when the config has none (bytes). */
export const MMS_DEFAULT_MAX_REQUEST_BYTES = 6_553_500;
/** MMS's own `default_response_timeout` when the config has none (it reads the value as minutes). */
export const MMS_DEFAULT_RESPONSE_TIMEOUT_MINUTES = 120;
/** MMS's `job_queue_size` default, used as the built-in server's queue size. */
export const MMS_DEFAULT_JOB_QUEUE_SIZE = 100;
/** The backends `SAGEMAKER_SERVE_BACKEND` accepts. */
export const BACKENDS = ["auto", "mms", "torchserve", "builtin"] as const;
/**
 * The start-up deadline that stands for `SAGEMAKER_STARTUP_TIMEOUT=0` (the variable's largest value, in ms). The toolkit's
 * 0 meant one search for the JVM after a daemonising launcher had returned and no deadline after it; a foreground
 * start has no such moment, so 0 means no deadline of our own (the platform's health check still bounds the start).
 */
export const NO_STARTUP_DEADLINE_MS = 2_147_483_000;

/** The log formats `SAGEMAKER_SERVE_LOG_FORMAT` accepts. */
export const LOG_FORMATS = ["text", "json"] as const;

export type Backend = (typeof BACKENDS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
