"""Response encoders: JSON and CSV always, NPY when numpy is importable."""
import csv
import io
import json

from sagemaker_serve_worker.toolkit import content_types, errors

try:
    import numpy as np
except ImportError:  # numpy is optional
    np = None


def _array_to_json(array_like):
    def default(_array_like):
        if hasattr(_array_like, "tolist"):
            return _array_like.tolist()
        return json.JSONEncoder().default(_array_like)

    return json.dumps(array_like, default=default)


def _array_to_npy(array_like):
    if np is None:
        raise errors.UnsupportedFormatError(content_types.NPY)
    buffer = io.BytesIO()
    np.save(buffer, array_like)
    return buffer.getvalue()


def _array_to_csv(array_like):
    stream = io.StringIO()
    if np is not None:
        np.savetxt(stream, array_like, delimiter=",", fmt="%s")
        return stream.getvalue()
    rows = array_like if array_like and isinstance(array_like[0], (list, tuple)) else [[v] for v in array_like]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerows(rows)
    return stream.getvalue()


_encoder_map = {
    content_types.NPY: _array_to_npy,
    content_types.CSV: _array_to_csv,
    content_types.JSON: _array_to_json,
}

SUPPORTED_CONTENT_TYPES = set(_encoder_map.keys())


def encode(array_like, content_type):
    try:
        encoder = _encoder_map[content_type]
    except KeyError:
        raise errors.UnsupportedFormatError(content_type)
    return encoder(array_like)
