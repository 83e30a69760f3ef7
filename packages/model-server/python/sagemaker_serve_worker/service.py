"""Runs a handler's entry point on a batch the way MMS's `mms.service.Service` does."""
import json
import logging
import re

from sagemaker_serve_worker import __version__
from sagemaker_serve_worker.context import Context, RequestProcessor
from sagemaker_serve_worker.metrics_export import MetricsStore

logger = logging.getLogger("sagemaker_serve_worker.service")


# What clients accept: Node's http client refuses responses with more than 16 KiB of headers.
MAX_RESPONSE_HEADER_BYTES = 8192
MAX_RESPONSE_PHRASE_CHARS = 1024
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE_CHAR = re.compile(r"[^\t\x20-\x7e\x80-\xff]")


class HandlerResponseError(Exception):
    """The handler set a response status, phrase or header that HTTP cannot carry; the message names it."""


def _describe(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _body_bytes(value):
    """The response body as a bytes-like object, without copying bytes the handler already has."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return value
    if isinstance(value, memoryview):
        return value.cast("B") if value.contiguous else value.tobytes()
    return json.dumps(value, indent=2).encode("utf-8")


def _header_text(what, value, allow_int):
    """A header value as text: a str, or (for headers other than the content type) an int, which MMS would not take
    but which has one obvious spelling."""
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise HandlerResponseError("{} must be a str, got {} {}".format(what, type(value).__name__, _describe(value)))
    if _BAD_VALUE_CHAR.search(value):
        raise HandlerResponseError(
            "{} {} holds characters HTTP cannot carry (CR, LF, NUL, ...)".format(what, _describe(value))
        )
    return value


def _response_metadata(context, idx):
    """Status, phrase, content type and headers the handler set for request `idx`, checked for HTTP."""
    code, phrase = context.get_response_status(idx)
    if code is None:
        code = 200
    if isinstance(code, bool):
        raise HandlerResponseError("response status must be an int, got {}".format(_describe(code)))
    try:
        code = int(code)
    except (TypeError, ValueError, OverflowError):
        raise HandlerResponseError("response status must be an int, got {}".format(_describe(code)))
    if not 100 <= code <= 999:
        raise HandlerResponseError("response status {} is not an HTTP status (100-999)".format(code))
    if phrase is None:
        phrase = ""
    if not isinstance(phrase, str):
        raise HandlerResponseError("response phrase must be a str, got {}".format(_describe(phrase)))
    if len(phrase) > MAX_RESPONSE_PHRASE_CHARS:
        raise HandlerResponseError("response phrase is longer than {} characters".format(MAX_RESPONSE_PHRASE_CHARS))
    content_type = context.get_response_content_type(idx)
    if content_type is not None:
        content_type = _header_text("response content type", content_type, False)
    headers = []
    size = 0
    for key, value in context.get_response_headers(idx).items():
        if not isinstance(key, str) or not _TOKEN.match(key):
            raise HandlerResponseError("response header name {} is not an HTTP token".format(_describe(key)))
        text = _header_text("response header {}".format(key), value, key.lower() != "content-type")
        size += len(key) + len(text)
        if size > MAX_RESPONSE_HEADER_BYTES:
            raise HandlerResponseError("response headers exceed {} bytes".format(MAX_RESPONSE_HEADER_BYTES))
        headers.append([key, text])
    return {"status": code, "phrase": phrase, "contentType": content_type, "headers": headers}


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

    def _invalid(self, idx, reason):
        logger.error(
            "model: %s, request %s: the handler's response cannot be sent: %s",
            self.context.model_name,
            self.context.get_request_id(idx),
            reason,
        )
        return b"", {"error": reason}

    def predict(self, requests):
        """Returns (code, message, results); results is a list of (body, metadata) per request, where metadata is
        the response's status, phrase, content type and headers, or `{"error": reason}` when the handler set
        something HTTP cannot carry; results is None when the whole batch failed with `code`."""
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
            try:
                body = _body_bytes(value)
            except TypeError:
                logger.warning("Unable to serialize model output.", exc_info=True)
                return 503, "Unsupported model output data type.", None
            except (ValueError, UnicodeError) as error:
                results.append(self._invalid(idx, "the output cannot be serialized: {}".format(error)))
                continue
            try:
                results.append((body, _response_metadata(self.context, idx)))
            except HandlerResponseError as error:
                results.append(self._invalid(idx, str(error)))
        return 200, "Prediction success", results
