"""A tiny SageMaker script-mode model that needs only the Python standard library.

The "model" is `model.json`: it doubles every number it receives (`scale`) and echoes what it got.
JSON in and out, CSV in and out.
"""
import csv
import io
import json
import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        return json.load(f)


def input_fn(input_data, content_type):
    if isinstance(input_data, (bytes, bytearray)):
        input_data = input_data.decode("utf-8")
    if content_type == "application/json":
        return json.loads(input_data)
    if content_type == "text/csv":
        return [[float(cell) for cell in row] for row in csv.reader(io.StringIO(input_data)) if row]
    raise ValueError("unsupported content type: {}".format(content_type))


def _scale(value, factor):
    if isinstance(value, list):
        return [_scale(item, factor) for item in value]
    if isinstance(value, dict):
        return {key: _scale(item, factor) for key, item in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * factor
    return value


def predict_fn(data, model):
    return {"model": model["name"], "version": model["version"], "received": data, "scaled": _scale(data, model["scale"])}


def output_fn(prediction, accept):
    if accept == "text/csv":
        rows = prediction["scaled"]
        rows = rows if rows and isinstance(rows[0], list) else [rows]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue(), "text/csv"
    return json.dumps(prediction), "application/json"
