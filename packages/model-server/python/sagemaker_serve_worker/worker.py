"""The worker loop: load one model, then answer predict frames until the front end closes the socket."""
import importlib
import importlib.util
import json
import logging
import os
import signal
import socket
import sys
import traceback

from sagemaker_serve_worker import model_loader
from sagemaker_serve_worker.metrics_export import emit_metrics, export_records
from sagemaker_serve_worker.parent_death import die_with_parent
from sagemaker_serve_worker.protocol import Channel

TOOLKIT_MODULES = (
    "content_types",
    "decoder",
    "default_handler_service",
    "default_inference_handler",
    "encoder",
    "environment",
    "errors",
    "transformer",
    "utils",
)


def install_toolkit_alias():
    """Makes `sagemaker_inference` importable from the bundled script-mode handler when the real package is absent,
    so the toolkit's default handler name and user scripts importing `sagemaker_inference.*` work unchanged."""
    if importlib.util.find_spec("sagemaker_inference") is not None:
        return
    package = importlib.import_module("sagemaker_serve_worker.toolkit")
    sys.modules["sagemaker_inference"] = package
    for name in TOOLKIT_MODULES:
        sys.modules["sagemaker_inference." + name] = importlib.import_module("sagemaker_serve_worker.toolkit." + name)


def decode_value(content_type, value, decode):
    """MMS's `_retrieve_input_data`: JSON and text bodies are decoded only when asked; otherwise the handler gets
    the bytearray the body was received into."""
    if decode and content_type == "application/json":
        return json.loads(value.decode("utf-8"))
    if decode and content_type.startswith("text"):
        return value.decode("utf-8")
    return value


def parse_requests(header, parts, decode):
    requests = []
    values = iter(parts)
    for request in header["requests"]:
        raw = request["headers"]
        headers = list(zip(raw[0::2], raw[1::2]))
        parameters = []
        for name, content_type in request["parameters"]:
            parameters.append((name, content_type, decode_value(content_type, next(values), decode)))
        requests.append({"requestId": request["requestId"], "headers": headers, "parameters": parameters})
    return requests


def answer_predict(channel, service, header, parts, decode):
    try:
        code, message, results = service.predict(parse_requests(header, parts, decode))
    except Exception:  # noqa: BLE001 - e.g. a request body the decoder cannot read; the worker keeps serving
        logging.warning("Invoking custom service failed.", exc_info=True)
        code, message, results = 503, "Prediction failed", None
    store = service.context.metrics
    records = export_records(store)
    try:
        if results is None:
            header, parts = {"code": int(code), "message": str(message)}, ()
        else:
            header = {"code": code, "message": message, "results": [meta for _, meta in results]}
            parts = [body for body, _ in results]
        if records:
            header["metrics"] = records
        channel.write(header, parts)
    except (TypeError, ValueError, OverflowError):
        # Whatever slipped through (a status that is not a number, ...): the batch fails, the worker stays.
        logging.error("model: cannot encode the response of this batch", exc_info=True)
        channel.write({"code": 500, "message": "Invalid response from the model handler"})
    # As MMS's worker: the handler's metrics are logged after the response is on its way. Forgetting the store
    # keeps a batch that fails before reaching the handler from sending the previous batch's metrics again.
    emit_metrics(store)
    service.context.metrics = None


def load_model(request):
    model_dir = request["modelDir"]
    for path in (model_dir, os.path.join(model_dir, "code")):
        if path not in sys.path:
            sys.path.insert(0, path)
    install_toolkit_alias()
    return model_loader.load(
        request["modelName"], model_dir, request["handler"], request.get("gpu"), request.get("batchSize", 1)
    )


def main(argv):
    logging.basicConfig(stream=sys.stdout, format="%(message)s", level=logging.INFO)
    fd = int(argv[argv.index("--fd") + 1]) if "--fd" in argv else 3
    die_with_parent(int(argv[argv.index("--parent") + 1]) if "--parent" in argv else None)
    # Move the protocol socket off its well-known number and out of reach of the handler's subprocesses.
    sock = socket.socket(fileno=os.dup(fd))
    os.close(fd)
    channel = Channel(sock)
    decode = os.environ.get("MMS_DECODE_INPUT_REQUEST", "false") == "true"

    message = channel.read()
    if message is None:
        return 0
    request, _ = message
    try:
        service = load_model(request)
    except MemoryError:
        logging.error("Load model %s: system out of memory", request.get("modelName"), exc_info=True)
        channel.write({"code": 507, "message": "System out of memory"})
        return 1
    except BaseException as error:  # noqa: BLE001 - report every load failure, including SystemExit
        logging.error("Failed to load model %s:\n%s", request.get("modelName"), traceback.format_exc().rstrip())
        summary = "".join(traceback.format_exception_only(type(error), error)).strip()
        channel.write({"code": 500, "message": summary})
        return 1
    channel.write({"code": 200, "message": "loaded model {}".format(request.get("modelName"))})

    while True:
        message = channel.read()
        if message is None:
            end_process_group()
            return 0
        header, parts = message
        answer_predict(channel, service, header, parts, decode)


def end_process_group():
    """The front end closed the channel: this worker is done, and so is whatever its handler left running. Only
    this process can kill its group without a pid-reuse race (its group id is its own live pid)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.getpgid(0) == os.getpid():
        os.killpg(0, signal.SIGKILL)
