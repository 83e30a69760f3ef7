"""Request body decoders: JSON and CSV always, NPY (and NPZ with scipy) when numpy is importable."""
import csv
import io
import json

from sagemaker_serve_worker.toolkit import content_types, errors

try:
    import numpy as np
except ImportError:  # numpy is optional: without it JSON and CSV decode to plain Python values
    np = None


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text


def _json_to_numpy(string_like, dtype=None):
    data = json.loads(string_like)
    return np.array(data, dtype=dtype) if np is not None else data


def _csv_to_numpy(string_like, dtype=None):
    if np is not None:
        stream = io.StringIO(string_like)
        return np.genfromtxt(stream, dtype=dtype, delimiter=",")
    rows = [[_number(cell) for cell in row] for row in csv.reader(io.StringIO(string_like)) if row]
    return rows[0] if len(rows) == 1 else rows


def _npy_to_numpy(npy_array):
    if np is None:
        raise errors.UnsupportedFormatError(content_types.NPY)
    return np.load(io.BytesIO(npy_array), allow_pickle=True)


def _npz_to_sparse(npz_bytes):
    import scipy.sparse

    return scipy.sparse.load_npz(io.BytesIO(npz_bytes))


_decoder_map = {
    content_types.NPY: _npy_to_numpy,
    content_types.CSV: _csv_to_numpy,
    content_types.JSON: _json_to_numpy,
    content_types.NPZ: _npz_to_sparse,
}


def decode(obj, content_type):
    try:
        decoder = _decoder_map[content_type]
    except KeyError:
        raise errors.UnsupportedFormatError(content_type)
    return decoder(obj)
