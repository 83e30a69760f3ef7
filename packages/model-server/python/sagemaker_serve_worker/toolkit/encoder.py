"""Response encoders, as the toolkit's `encoder` module: NPY needs numpy; without numpy, CSV is written as
`np.savetxt` writes it (see stdlib_savetxt) and JSON needs no numpy at all."""
import io
import json

from sagemaker_serve_worker.toolkit import content_types, errors
from sagemaker_serve_worker.toolkit.stdlib_savetxt import savetxt_csv

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
    if np is None:
        return savetxt_csv(array_like)
    stream = io.StringIO()
    np.savetxt(stream, array_like, delimiter=",", fmt="%s")
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
        return encoder(array_like)
    except KeyError:
        raise errors.UnsupportedFormatError(content_type)
