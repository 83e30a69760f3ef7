"""Handler metrics for the front end.

`MetricsStore` has MMS's `context.metrics` API and folds repeated calls the way MMS does (same name, unit, request
id and dimensions: counters add up, the others keep the last value), but keeps every call's dimensions (MMS drops
them for all but `add_counter`). After a batch, `emit_metrics(store)` writes MMS's `[METRICS]` log lines and
`export_records(store)` gives the JSON records the worker sends with the response.
"""
import logging
import math
import socket
import time

logger = logging.getLogger("sagemaker_serve_worker.metrics")

# MMS's mms/metrics/unit.py: the unit names written in `[METRICS]` lines.
UNIT_NAMES = {
    "ms": "Milliseconds",
    "s": "Seconds",
    "percent": "Percent",
    "count": "Count",
    "MB": "Megabytes",
    "GB": "Gigabytes",
    "kB": "Kilobytes",
    "B": "Bytes",
    None: "unit",
}
TIME_UNITS = ("ms", "s")
SIZE_UNITS = ("MB", "kB", "GB", "B")
# Records sent per batch at most; the front end caps series too, this bounds the response frame.
MAX_RECORDS = 1000

_hostname = None


def _host():
    global _hostname
    if _hostname is None:
        _hostname = socket.gethostname()
    return _hostname


class Dimension(object):
    """MMS's `mms.metrics.dimension.Dimension`: a name and a value."""

    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __str__(self):
        return "{}:{}".format(self.name, self.value)

    def to_dict(self):
        return {"Name": self.name, "Value": self.value}


def _pair(dimension):
    """A dimension as (name, value) text: a Dimension-like object, a dict or a 2-item sequence."""
    if isinstance(dimension, dict):
        name = dimension.get("name", dimension.get("Name"))
        value = dimension.get("value", dimension.get("Value"))
    elif isinstance(dimension, (list, tuple)) and len(dimension) == 2:
        name, value = dimension
    else:
        name = getattr(dimension, "name", None)
        value = getattr(dimension, "value", None)
    if name is None:
        raise ValueError("A dimension needs a name and a value, got {!r}".format(dimension))
    return str(name), str(value)


class _Metric(object):
    def __init__(self, name, kind, unit, value, dimensions, request_id):
        self.name = name
        self.kind = kind
        self.unit = unit
        self.value = value
        self.dimensions = dimensions
        self.request_id = request_id

    def update(self, value):
        if self.kind == "counter":
            self.value += value
        else:
            self.value = value

    def log_line(self, model_name, timestamp):
        """MMS's `str(Metric)`: `name.Unit:value|#dims|#hostname:host,timestamp[,request ids]`."""
        dims = ["{}:{}".format(name, value) for name, value in self.dimensions]
        if self.request_id is None:
            dims.append("Level:Error")
        else:
            dims += ["ModelName:{}".format(model_name), "Level:Model"]
        tail = "{},{}".format(_host(), timestamp)
        if self.request_id:
            tail += ",{}".format(self.request_id)
        unit = UNIT_NAMES.get(self.unit, self.unit)
        return "{}.{}:{}|#{}|#hostname:{}".format(self.name, unit, self.value, ",".join(dims), tail)


class MetricsStore(object):
    """MMS's `mms.metrics.metrics_store.MetricsStore` API (`context.metrics`), keeping dimensions."""

    def __init__(self, request_ids, model_name):
        self.store = []
        self.request_ids = request_ids
        self.model_name = model_name
        self._cache = {}

    def _get_req(self, idx):
        req_id = self.request_ids
        if isinstance(req_id, dict):
            req_id = ",".join(str(v) for v in self.request_ids.values())
        if idx is not None and self.request_ids is not None and idx in self.request_ids:
            req_id = self.request_ids[idx]
        return req_id

    def _add_or_update(self, name, value, req_id, kind, unit, dimensions):
        if dimensions is None:
            dimensions = []
        elif not isinstance(dimensions, list):
            raise ValueError("Please provide a list of dimensions")
        pairs = [_pair(d) for d in dimensions]
        key = (name, unit, str(req_id), tuple(pairs))
        metric = self._cache.get(key)
        if metric is None:
            metric = _Metric(name, kind, unit, value, pairs, req_id)
            self.store.append(metric)
            self._cache[key] = metric
        else:
            metric.update(value)

    def add_counter(self, name, value, idx=None, dimensions=None):
        self._add_or_update(name, value, self._get_req(idx), "counter", "count", dimensions)

    def add_time(self, name, value, idx=None, unit="ms", dimensions=None):
        if unit not in TIME_UNITS:
            raise ValueError("the unit for a timed metric should be one of ['ms', 's']")
        self._add_or_update(name, value, self._get_req(idx), "time", unit, dimensions)

    def add_size(self, name, value, idx=None, unit="MB", dimensions=None):
        if unit not in SIZE_UNITS:
            raise ValueError("The unit for size based metric is one of ['MB','kB', 'GB', 'B']")
        self._add_or_update(name, value, self._get_req(idx), "size", unit, dimensions)

    def add_percent(self, name, value, idx=None, dimensions=None):
        self._add_or_update(name, value, self._get_req(idx), "percent", "percent", dimensions)

    def add_error(self, name, value, dimensions=None):
        self._add_or_update(name, value, None, "error", "", dimensions)

    def add_metric(self, name, value, idx=None, unit=None, dimensions=None):
        self._add_or_update(name, value, self._get_req(idx), "metric", unit, dimensions)


def emit_metrics(store):
    """Logs one MMS `[METRICS]` line per folded metric, as MMS's worker does after each batch."""
    if store is None:
        return
    timestamp = int(time.time())
    for metric in getattr(store, "store", []):
        if isinstance(metric, _Metric):
            logger.info("[METRICS]%s", metric.log_line(store.model_name, timestamp))


def _legacy_kind(entry):
    """The kind of an entry of the older store (`sagemaker_serve_worker.metrics`), which kept only the unit."""
    unit = entry.get("unit")
    if isinstance(entry.get("value"), str) and unit == "":
        return "error"
    if unit == "count":
        return "counter"
    if unit in TIME_UNITS:
        return "time"
    if unit in SIZE_UNITS:
        return "size"
    if unit == "percent":
        return "percent"
    return "metric"


def _number(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        number = value
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
    return number if math.isfinite(number) else None


def export_records(store):
    """The store's metrics as JSON-able dicts `{name, kind, unit, value, dimensions: [{name, value}]}` (at most
    MAX_RECORDS; values that are not finite numbers are left out, except an error's text)."""
    records = []
    for metric in getattr(store, "store", None) or []:
        if isinstance(metric, _Metric):
            name, kind, unit, value, dims = metric.name, metric.kind, metric.unit, metric.value, metric.dimensions
        elif isinstance(metric, dict):
            name, kind, unit, value, dims = (
                metric.get("name"), _legacy_kind(metric), metric.get("unit"), metric.get("value"), [],
            )
        else:
            continue
        if kind == "error":
            value = str(value)
        else:
            value = _number(value)
            if value is None:
                continue
        records.append({
            "name": str(name),
            "kind": kind,
            "unit": "" if unit is None else str(unit),
            "value": value,
            "dimensions": [{"name": n, "value": v} for n, v in dims],
        })
        if len(records) == MAX_RECORDS:
            logger.warning("handler metrics: more than %d metrics in one batch; the rest are not exported", MAX_RECORDS)
            break
    return records
