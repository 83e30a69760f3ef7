"""`numpy.savetxt(stream, value, delimiter=",", fmt="%s")` without numpy (the toolkit's CSV encoder).

`savetxt` first makes `np.asarray(value)`: a 1-D array is written one item per line, a 2-D array one row per line,
anything else is refused with numpy's message. Items are written with `%s` (numpy's float64 spelling is Python's
`repr`), complex arrays as ` (real+imagj)` with `+-` turned into `-`, and a structured array (a list of `Record`s
from the CSV decoder) one record per line.
"""
from sagemaker_serve_worker.toolkit.stdlib_array import to_array
from sagemaker_serve_worker.toolkit.stdlib_genfromtxt import Record


def _not_1d_or_2d(ndim):
    return ValueError("Expected 1D or 2D array, got %dD array instead" % ndim)


def _complex_line(row):
    return ",".join(" ({}+{}j)".format(repr(item.real), repr(item.imag)) for item in row).replace("+-", "-")


def _line(row):
    return ",".join("%s" % (item,) for item in row)


def savetxt_csv(value):
    if isinstance(value, Record):
        raise _not_1d_or_2d(0)
    if isinstance(value, list) and value and all(isinstance(item, Record) for item in value):
        return "".join(_line(record) + "\n" for record in value)
    array = to_array(value)
    if array.ndim not in (1, 2):
        raise _not_1d_or_2d(array.ndim)
    rows = [[item] for item in array.items] if array.ndim == 1 else array.items
    line = _complex_line if array.kind == "c" else _line
    return "".join(line(row) + "\n" for row in rows)
