"""The toolkit's `DefaultHandlerService`: the one class MMS instantiates for script mode."""
import os

from sagemaker_serve_worker.toolkit.transformer import Transformer

PYTHON_PATH_ENV = "PYTHONPATH"


class DefaultHandlerService(object):
    def __init__(self, transformer=None):
        self._service = transformer if transformer else Transformer()

    def handle(self, data, context):
        return self._service.transform(data, context)

    def initialize(self, context):
        model_dir = context.system_properties.get("model_dir")
        code_dir_path = "{}:".format(model_dir + "/code")
        if PYTHON_PATH_ENV in os.environ:
            os.environ[PYTHON_PATH_ENV] = code_dir_path + os.environ[PYTHON_PATH_ENV]
        else:
            os.environ[PYTHON_PATH_ENV] = code_dir_path
        self._service.validate_and_initialize(model_dir=model_dir, context=context)
