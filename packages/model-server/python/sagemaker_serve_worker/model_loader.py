"""Loads a handler the way MMS's `MmsModelLoader` does.

The handler is `module[:function]`; a `.py` suffix and any directory part are dropped. When the module has the
function (default `handle`), it is the entry point and is called once with `(None, context)` at load. Otherwise the
module must define exactly one class, which is instantiated without arguments; `initialize(context)` runs at load and
`handle(data, context)` per batch.
"""
import importlib
import inspect
import json
import logging
import os

from sagemaker_serve_worker.service import Service

logger = logging.getLogger("sagemaker_serve_worker.model_loader")


def read_manifest(model_dir):
    manifest_file = os.path.join(model_dir, "MAR-INF", "MANIFEST.json")
    if not os.path.exists(manifest_file):
        return None
    with open(manifest_file) as f:
        return json.load(f)


def list_model_services(module):
    return [
        member
        for _, member in inspect.getmembers(module, inspect.isclass)
        if member.__module__ == module.__name__
    ]


def load(model_name, model_dir, handler, gpu_id, batch_size):
    manifest = read_manifest(model_dir)
    module_name, _, function_name = handler.partition(":")
    if module_name.endswith(".py"):
        module_name = module_name[:-3]
    module_name = module_name.split("/")[-1]
    module = importlib.import_module(module_name)
    if not function_name:
        function_name = "handle"
    if hasattr(module, function_name):
        entry_point = getattr(module, function_name)
        service = Service(model_name, model_dir, manifest, entry_point, gpu_id, batch_size)
        entry_point(None, service.context)
        return service

    classes = list_model_services(module)
    if len(classes) != 1:
        raise ValueError(
            "Expected only one class in custom service code or a function entry point {}".format(classes)
        )
    model_service = classes[0]()
    handle = getattr(model_service, "handle", None)
    if handle is None:
        raise ValueError("Expect handle method in class {}".format(str(classes[0])))
    service = Service(model_name, model_dir, manifest, handle, gpu_id, batch_size)
    initialize = getattr(model_service, "initialize", None)
    if initialize is not None:
        initialize(service.context)
    return service
