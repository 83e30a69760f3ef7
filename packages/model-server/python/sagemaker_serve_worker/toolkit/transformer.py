"""The toolkit's inference workflow: resolve the user's functions once, then run them per request."""
import importlib
import importlib.util
import inspect
import traceback

from sagemaker_serve_worker.toolkit import content_types, environment, utils
from sagemaker_serve_worker.toolkit.default_inference_handler import DefaultInferenceHandler
from sagemaker_serve_worker.toolkit.errors import BaseInferenceToolkitError, GenericInferenceToolkitError


class Transformer(object):
    def __init__(self, default_inference_handler=None):
        self._default_inference_handler = default_inference_handler or DefaultInferenceHandler()
        self._initialized = False
        self._environment = None
        self._pre_model_fn = None
        self._model_warmup_fn = None
        self._model = None
        self._model_fn = None
        self._transform_fn = None
        self._input_fn = None
        self._predict_fn = None
        self._output_fn = None
        self._context = None

    @staticmethod
    def handle_error(context, inference_exception, trace):
        context.set_response_status(
            code=inference_exception.status_code,
            phrase=utils.remove_crlf(inference_exception.phrase),
        )
        return ["{}\n{}".format(inference_exception.message, trace)]

    def transform(self, data, context):
        try:
            properties = context.request_processor[0].get_request_properties()
            content_type = utils.retrieve_content_type_header(properties)
            accept = properties.get("Accept") or properties.get("accept")
            if not accept or accept == content_types.ANY:
                accept = self._environment.default_accept

            response_list = []
            for item in data:
                input_data = item.get("body")
                if content_type in content_types.UTF8_TYPES and isinstance(input_data, (bytes, bytearray)):
                    input_data = input_data.decode("utf-8")
                result = self._run_handler_function(self._transform_fn, *(self._model, input_data, content_type, accept))
                response = result
                response_content_type = accept
                if isinstance(result, tuple):
                    response, response_content_type = result
                context.set_response_content_type(0, response_content_type)
                response_list.append(response)
            return response_list
        except Exception as e:  # noqa: BLE001 - every failure becomes a status and a traceback body
            trace = traceback.format_exc()
            if isinstance(e, BaseInferenceToolkitError):
                return self.handle_error(context, e, trace)
            return self.handle_error(context, GenericInferenceToolkitError(500, str(e)), trace)

    def validate_and_initialize(self, model_dir=None, context=None):
        if not self._initialized:
            self._context = context
            self._environment = environment.Environment()
            self._validate_user_module_and_set_functions()
            if self._pre_model_fn is not None:
                self._run_handler_function(self._pre_model_fn, *(model_dir,))
            self._model = self._run_handler_function(self._model_fn, *(model_dir,))
            if self._model_warmup_fn is not None:
                self._run_handler_function(self._model_warmup_fn, *(model_dir, self._model))
            self._initialized = True

    def _validate_user_module_and_set_functions(self):
        handler = self._default_inference_handler
        user_module_name = self._environment.module_name
        self._pre_model_fn = getattr(handler, "default_pre_model_fn", None)
        self._model_warmup_fn = getattr(handler, "default_model_warmup_fn", None)

        if importlib.util.find_spec(user_module_name) is not None:
            user_module = importlib.import_module(user_module_name)
            self._model_fn = getattr(user_module, "model_fn", handler.default_model_fn)
            transform_fn = getattr(user_module, "transform_fn", None)
            input_fn = getattr(user_module, "input_fn", None)
            predict_fn = getattr(user_module, "predict_fn", None)
            output_fn = getattr(user_module, "output_fn", None)
            pre_model_fn = getattr(user_module, "pre_model_fn", None)
            model_warmup_fn = getattr(user_module, "model_warmup_fn", None)

            if transform_fn and (input_fn or predict_fn or output_fn):
                raise ValueError(
                    "Cannot use transform_fn implementation in conjunction with "
                    "input_fn, predict_fn, and/or output_fn implementation"
                )
            self._transform_fn = transform_fn or self._default_transform_fn
            self._input_fn = input_fn or handler.default_input_fn
            self._predict_fn = predict_fn or handler.default_predict_fn
            self._output_fn = output_fn or handler.default_output_fn
            if pre_model_fn is not None:
                self._pre_model_fn = pre_model_fn
            if model_warmup_fn is not None:
                self._model_warmup_fn = model_warmup_fn
        else:
            self._model_fn = handler.default_model_fn
            self._input_fn = handler.default_input_fn
            self._predict_fn = handler.default_predict_fn
            self._output_fn = handler.default_output_fn
            self._transform_fn = self._default_transform_fn

    def _default_transform_fn(self, model, input_data, content_type, accept, context=None):
        data = self._run_handler_function(self._input_fn, *(input_data, content_type))
        prediction = self._run_handler_function(self._predict_fn, *(data, model))
        return self._run_handler_function(self._output_fn, *(prediction, accept))

    def _run_handler_function(self, func, *argv):
        num_func_input = len(inspect.signature(func).parameters)
        if num_func_input == len(argv):
            return func(*argv)
        if num_func_input == len(argv) + 1:
            return func(*(argv + (self._context,)))
        raise TypeError(
            "{} takes {} arguments but {} were given.".format(func.__name__, num_func_input, len(argv))
        )
