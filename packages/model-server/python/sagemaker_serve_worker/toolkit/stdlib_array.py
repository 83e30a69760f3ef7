"""What `numpy.array(value)` makes of plain Python values, for the decoders and encoders when numpy is absent.

The toolkit hands `np.array(json.loads(body))` to `predict_fn` and encodes results with `np.savetxt` / `tolist()`,
so the bytes it answers depend on numpy's promotion rules: `[1, 2.5]` becomes `[1.0, 2.5]`, `[1, "a"]` becomes
`["1", "a"]`, ragged lists are refused. `to_array` applies those rules (numpy 2) to lists, tuples and scalars and
returns the `tolist()` view; anything whose numpy result cannot be reproduced exactly is refused with
`NumpyRequiredError` instead of being answered differently.
"""

INT64_MIN = -(2**63)
INT64_END = 2**63
UINT64_END = 2**64

_RAGGED = (
    "setting an array element with a sequence. The requested array has an inhomogeneous shape after "
    "{} dimensions. The detected shape was {} + inhomogeneous part."
)


class NumpyRequiredError(Exception):
    """The toolkit's answer for this input depends on numpy, which the workers' interpreter does not have."""

    def __init__(self, what):
        super(NumpyRequiredError, self).__init__(
            "{} needs numpy to be answered as sagemaker-inference-toolkit does, and numpy is not installed in the "
            "workers' interpreter: install numpy there, or set SAGEMAKER_SERVE_PYTHON to an interpreter that has "
            "it.".format(what)
        )


class Array(object):
    """A numpy array as plain Python: its kind (numpy's dtype.kind), shape and `tolist()`."""

    def __init__(self, kind, shape, items):
        self.kind = kind
        self.shape = shape
        self.items = items

    @property
    def ndim(self):
        return len(self.shape)


def _is_sequence(value):
    if isinstance(value, (list, tuple, range)):
        return True
    if isinstance(value, (str, dict)):
        return False
    kind = type(value)
    if (hasattr(kind, "__len__") and hasattr(kind, "__getitem__")) or any(
        hasattr(value, name) for name in ("__array__", "__array_interface__", "__array_struct__")
    ):
        raise NumpyRequiredError("A value of type {}".format(kind.__name__))
    return False


def _discover_shape(value):
    """numpy's shape discovery: every node at one depth is a sequence of one length, or none is."""
    shape = []
    level = [value]
    while True:
        flags = [_is_sequence(node) for node in level]
        if not any(flags):
            return tuple(shape), level
        lengths = set(len(node) for node in level) if all(flags) else None
        if lengths is None or len(lengths) != 1:
            raise ValueError(_RAGGED.format(len(shape), tuple(shape)))
        shape.append(lengths.pop())
        level = [child for node in level for child in node]
        if not level:
            return tuple(shape), level


def scalar_kind(value):
    kind = type(value)
    if kind is bool:
        return "b"
    if kind is int:
        if INT64_MIN <= value < INT64_END:
            return "i"
        return "u" if INT64_END <= value < UINT64_END else "O"
    if kind is float:
        return "f"
    if kind is complex:
        return "c"
    if kind is str:
        return "U"
    if isinstance(value, (bool, int, float, complex, str, bytes, bytearray)):
        raise NumpyRequiredError("A value of type {}".format(kind.__name__))
    return "O"


def promote(kinds):
    """The kind numpy gives an array of Python scalars of these kinds."""
    if "O" in kinds:
        return "O"
    if "U" in kinds:
        return "U"
    if "c" in kinds:
        return "c"
    if "f" in kinds or ("i" in kinds and "u" in kinds):
        return "f"
    for kind in ("u", "i", "b"):
        if kind in kinds:
            return kind
    return "f"  # no elements: numpy's default float64


def to_str(value):
    """How numpy spells a scalar in a unicode array; numpy drops trailing NULs of unicode items."""
    return str(value).rstrip("\x00")


_CONVERT = {
    "O": lambda value: value,
    "U": to_str,
    "c": complex,
    "f": float,
    "u": int,
    "i": int,
    "b": bool,
}


def convert(value, kind):
    return _CONVERT[kind](value)


def _nest(flat, shape):
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def to_array(value):
    """`numpy.array(value)` as an `Array`; `ValueError` with numpy's text for ragged input."""
    shape, leaves = _discover_shape(value)
    kind = promote(set(scalar_kind(leaf) for leaf in leaves))
    flat = [convert(leaf, kind) for leaf in leaves]
    if not shape:
        return Array(kind, shape, flat[0])
    if 0 in shape:
        return Array(kind, shape, _empty(shape))
    return Array(kind, shape, _nest(flat, shape))


def _empty(shape):
    if shape[0] == 0:
        return []
    return [_empty(shape[1:]) for _ in range(shape[0])]
