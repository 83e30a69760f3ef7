"""Request body decoders, as the toolkit's `decoder` module: NPY (and NPZ with scipy) need numpy; without numpy, JSON
and CSV decode to what the toolkit's arrays' `tolist()` would be (see stdlib_array and stdlib_genfromtxt)."""
import io
import json

from sagemaker_serve_worker.toolkit import content_types, errors
from sagemaker_serve_worker.toolkit.stdlib_array import NumpyRequiredError, to_array
from sagemaker_serve_worker.toolkit.stdlib_genfromtxt import genfromtxt_csv

try:
    import numpy as np
except ImportError:  # numpy is optional: the standard-library path gives the same values as plain Python
    np = None


def _without_dtype(dtype):
    if dtype is not None:
        raise NumpyRequiredError("Decoding with dtype={!r}".format(dtype))


def _json_to_numpy(string_like, dtype=None):
    data = json.loads(string_like)
    if np is not None:
        return np.array(data, dtype=dtype)
    _without_dtype(dtype)
    array = to_array(data)
    if array.kind == "u":  # tolist() would lose the uint64 dtype that np.savetxt and np.asarray depend on
        raise NumpyRequiredError("A JSON body whose integers numpy reads as uint64")
    return array.items


def _csv_to_numpy(string_like, dtype=None):
    if np is not None:
        stream = io.StringIO(string_like)
        return np.genfromtxt(stream, dtype=dtype, delimiter=",")
    _without_dtype(dtype)
    return genfromtxt_csv(string_like)


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
        return decoder(obj)
    except KeyError:
        raise errors.UnsupportedFormatError(content_type)
