"""The part of the toolkit's `Environment` the handler side reads."""
import os

DEFAULT_ACCEPT = "application/json"


class Environment(object):
    def __init__(self):
        base_dir = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
        multi_model = os.environ.get("SAGEMAKER_MULTI_MODEL", "false") == "true"
        self._base_dir = base_dir
        self._model_dir = os.path.join(base_dir, "models" if multi_model else "model")
        self._code_dir = os.path.join(self._model_dir, "code")
        self._module_name = os.environ.get("SAGEMAKER_PROGRAM", "inference.py")
        self._default_accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", DEFAULT_ACCEPT)

    @property
    def base_dir(self):
        return self._base_dir

    @property
    def model_dir(self):
        return self._model_dir

    @property
    def code_dir(self):
        return self._code_dir

    @property
    def module_name(self):
        name = self._module_name
        return name[:-3] if name.endswith(".py") else name

    @property
    def default_accept(self):
        return self._default_accept
