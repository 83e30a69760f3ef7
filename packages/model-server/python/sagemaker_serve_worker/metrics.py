"""A small stand-in for MMS's `MetricsStore`: handlers may record metrics; they are logged as `[METRICS]` lines."""
import logging

logger = logging.getLogger("sagemaker_serve_worker.metrics")


class MetricsStore(object):
    def __init__(self, request_ids, model_name):
        self.request_ids = request_ids
        self.model_name = model_name
        self.store = []

    def _add(self, name, value, unit, idx=None):
        request_id = None
        if isinstance(self.request_ids, dict) and idx is not None:
            request_id = self.request_ids.get(idx)
        entry = {"name": name, "value": value, "unit": unit, "model": self.model_name, "requestId": request_id}
        self.store.append(entry)
        logger.info("[METRICS]%s.%s:%s|#ModelName:%s", name, unit, value, self.model_name)

    def add_counter(self, name, value, idx=None, dimensions=None):
        self._add(name, value, "count", idx)

    def add_time(self, name, value, idx=None, unit="ms", dimensions=None):
        self._add(name, value, unit, idx)

    def add_size(self, name, value, idx=None, unit="MB", dimensions=None):
        self._add(name, value, unit, idx)

    def add_percent(self, name, value, idx=None, dimensions=None):
        self._add(name, value, "percent", idx)

    def add_error(self, name, value, dimensions=None):
        self._add(name, value, "", None)

    def add_metric(self, name, value, idx=None, unit=None, dimensions=None):
        self._add(name, value, unit or "", idx)
