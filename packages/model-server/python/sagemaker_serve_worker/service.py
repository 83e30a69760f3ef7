"""Runs a handler's entry point on a batch the way MMS's `mms.service.Service` does."""
import json
import logging

from sagemaker_serve_worker import __version__
from sagemaker_serve_worker.context import Context, RequestProcessor
from sagemaker_serve_worker.metrics import MetricsStore

logger = logging.getLogger("sagemaker_serve_worker.service")


def _is_prediction_exception(error):
    # mms.service.PredictionException and ts.service.PredictionException carry their own status; match by shape
    # so a handler importing either one works without this package shipping an `mms` module.
    return type(error).__name__ == "PredictionException" and hasattr(error, "error_code")


class Service(object):
    def __init__(self, model_name, model_dir, manifest, entry_point, gpu, batch_size):
        self._context = Context(model_name, model_dir, manifest, batch_size, gpu, __version__)
        self._entry_point = entry_point

    @property
    def context(self):
        return self._context

    @staticmethod
    def retrieve_data_for_inference(requests):
        """MMS's layout: one dict per request mapping parameter name to value, and a RequestProcessor whose
        headers hold each parameter's `{"content-type": ...}` and then the HTTP request headers."""
        req_to_id_map = {}
        headers = []
        input_batch = []
        for batch_idx, request in enumerate(requests):
            model_in = {}
            model_in_headers = {}
            for name, content_type, value in request["parameters"]:
                model_in[name] = value
                model_in_headers[name] = {"content-type": content_type}
            for name, value in request["headers"]:
                model_in_headers[name] = value
            headers.append(RequestProcessor(model_in_headers))
            input_batch.append(model_in)
            req_to_id_map[batch_idx] = request["requestId"]
        return headers, input_batch, req_to_id_map

    def predict(self, requests):
        """Returns (code, message, results); results is a list of (body bytes, content type, status, phrase,
        headers) per request, or None when the whole batch failed with `code`."""
        headers, input_batch, req_id_map = Service.retrieve_data_for_inference(requests)
        self.context.request_ids = req_id_map
        self.context.request_processor = headers
        self.context.metrics = MetricsStore(req_id_map, self.context.model_name)
        try:
            ret = self._entry_point(input_batch, self.context)
        except MemoryError:
            logger.error("System out of memory", exc_info=True)
            return 507, "Out of resources", None
        except Exception as error:  # noqa: BLE001 - any handler failure becomes a status, as in MMS
            if _is_prediction_exception(error):
                logger.error("Prediction error", exc_info=True)
                return int(error.error_code), str(getattr(error, "message", error)), None
            logger.warning("Invoking custom service failed.", exc_info=True)
            return 503, "Prediction failed", None

        if not isinstance(ret, list):
            logger.warning("model: %s, Invalid return type: %s.", self.context.model_name, type(ret))
            return 503, "Invalid model predict output", None
        if len(ret) != len(input_batch):
            logger.warning(
                "model: %s, number of batch response mismatched, expect: %d, got: %d.",
                self.context.model_name,
                len(input_batch),
                len(ret),
            )
            return 503, "number of batch response mismatched", None

        results = []
        for idx, value in enumerate(ret):
            if isinstance(value, str):
                body = value.encode("utf-8")
            elif isinstance(value, (bytes, bytearray, memoryview)):
                body = bytes(value)
            else:
                try:
                    body = json.dumps(value, indent=2).encode("utf-8")
                except TypeError:
                    logger.warning("Unable to serialize model output.", exc_info=True)
                    return 503, "Unsupported model output data type.", None
            code, phrase = self.context.get_response_status(idx)
            try:
                code = int(code) if code is not None else 200
            except (TypeError, ValueError):
                logger.warning("model: %s, invalid response status %r; answering 500", self.context.model_name, code)
                code = 500
            if not 100 <= code <= 999:
                logger.warning("model: %s, invalid response status %d; answering 500", self.context.model_name, code)
                code = 500
            response_headers = {}
            for key, header_value in self.context.get_response_headers(idx).items():
                response_headers[str(key)] = str(header_value)
            content_type = self.context.get_response_content_type(idx)
            results.append((body, content_type, code, str(phrase or ""), response_headers))
        return 200, "Prediction success", results
