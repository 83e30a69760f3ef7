/** The inference toolkit's `etc/default-mms.properties` (single model), byte for byte. */
export const DEFAULT_MMS_TEMPLATE =
  "# Based on: https://github.com/awslabs/multi-model-server/blob/master/docs/configuration.md\n" +
  "enable_envvars_config=true\n" +
  "decode_input_request=false\n" +
  "load_models=ALL\n";

/** The inference toolkit's `etc/mme-mms.properties` (multi-model), byte for byte. */
export const MME_MMS_TEMPLATE =
  "enable_envvars_config=true\n" +
  "model_store=/\n" +
  "default_service_handler=$$SAGEMAKER_HANDLER$$\n" +
  "default_workers_per_model=1\n" +
  "async_logging=true\n" +
  "decode_input_request=false\n";

/** The PyTorch toolkit's `etc/default-ts.properties`, byte for byte. Note: no newline at the end, as shipped. */
export const DEFAULT_TS_TEMPLATE =
  "# Based on https://github.com/pytorch/serve/blob/master/docs/configuration.md\n" +
  "vmargs=-XX:-UseContainerSupport\n" +
  "enable_envvars_config=true\n" +
  "decode_input_request=false\n" +
  "load_models=ALL\n" +
  "disable_token_authorization=true\n" +
  "enable_model_api=true";

/** The PyTorch toolkit's `etc/mme-ts.properties`, byte for byte (it has no comment line). Note: no newline at the end, as shipped. */
export const MME_TS_TEMPLATE =
  "vmargs=-XX:-UseContainerSupport\n" +
  "enable_envvars_config=true\n" +
  "model_store=/\n" +
  "default_service_handler=$$SAGEMAKER_HANDLER$$\n" +
  "default_workers_per_model=1\n" +
  "async_logging=true\n" +
  "decode_input_request=false\n" +
  "disable_token_authorization=true\n" +
  "enable_model_api=true";
