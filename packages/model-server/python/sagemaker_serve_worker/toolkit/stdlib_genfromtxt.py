"""`numpy.genfromtxt(StringIO(text), dtype=None, delimiter=",").tolist()` without numpy (the toolkit's CSV decoder).

numpy's rules, reproduced: a line loses everything from `#` on and its surrounding spaces, CR and LF, then splits at
every comma (quotes are ordinary characters, fields keep their spaces); blank lines are skipped; every line must
have as many fields as the first. Each column takes the first type, in the order bool (`true`/`false` in any case),
int64, float64, complex128, long double, str, that converts all its non-empty fields; an empty (or blank) field is
missing and becomes False / -1 / nan / nan+0j / "". When every column that saw a value has one type, the result is
a 2-D array of it (columns that only ever held missing booleans are converted to it); otherwise it is a structured
array, one record per row, which `tolist()` gives as tuples and which is kept here as a list of `Record`s so that
the CSV encoder can format it as `np.savetxt` formats a structured array. Size-1 dimensions are squeezed away.
"""
import io
import math
import re

from sagemaker_serve_worker.toolkit.stdlib_array import NumpyRequiredError, convert, to_str

BOOL, INT, FLOAT, COMPLEX, LONGDOUBLE, STR = "b", "i", "f", "c", "g", "U"
# numpy's StringConverter mapper on 64-bit Linux; the entries after long double repeat int, float and complex, which
# cannot succeed where they failed before, so a column that passes long double ends as str.
_ORDER = (BOOL, INT, FLOAT, COMPLEX, LONGDOUBLE, STR)
_MISSING = {BOOL: False, INT: -1, FLOAT: math.nan, COMPLEX: complex(math.nan, 0), STR: ""}

# What C's strtold (numpy's long double parser) reads in full: the only values it takes that `complex()` refuses
# are hexadecimal floats and `nan(...)`; a NUL ends the C string, so anything before one may be read.
_STRTOLD = re.compile(
    r"[ \t\n\v\f\r]*[+-]?(?:inf(?:inity)?|nan(?:\([0-9a-z_]*\))?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?"
    r"|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?)",
    re.IGNORECASE,
)


class Record(tuple):
    """One row of a structured array (columns of different types), as `tolist()` gives it."""


def _str2bool(text):
    upper = text.upper()
    if upper == "TRUE":
        return True
    if upper == "FALSE":
        return False
    raise ValueError("Invalid boolean")


def _int64(text):
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError("overflow")
    return value


def _longdouble(text):
    if not _STRTOLD.fullmatch(text.split("\x00")[0]):
        raise ValueError("invalid literal for long double")
    return text


_PARSE = {BOOL: _str2bool, INT: _int64, FLOAT: float, COMPLEX: complex, LONGDOUBLE: _longdouble, STR: to_str}


def _numpy_integer_check(column):
    """After long double, numpy 2 retries `int` and checks the value with `np.array(value, dtype=np.integer)`, which
    raises TypeError: the column fails unless a field that `int()` refuses comes first."""
    for value in column:
        try:
            int(value)
        except ValueError:
            if value.strip() != "":
                return
            continue
        raise TypeError("Converting 'np.integer' or 'np.signedinteger' to a dtype is not allowed")


def _column_type(column):
    """numpy's `StringConverter.iterupgrade`: (type, whether a value was seen)."""
    for kind in _ORDER:
        if kind == STR:
            _numpy_integer_check(column)
        checked = True
        try:
            for value in column:
                try:
                    _PARSE[kind](value)
                except ValueError:
                    if value.strip() != "":
                        raise
                    if kind == BOOL:
                        checked = False
        except ValueError:
            continue
        return kind, checked
    raise AssertionError("str converts every field")


def _parse_or_missing(kind, value):
    try:
        return _PARSE[kind](value)
    except ValueError:
        return _MISSING[kind]


def _split(line):
    line = line.split("#")[0].strip(" \r\n")
    return line.split(",") if line else []


def _rows(text):
    """The rows with as many fields as the first, and numpy's complaint about the others."""
    lines = iter(io.StringIO(text))
    first = []
    for line in lines:
        first = _split(line)
        if first:
            break
    if not first:
        return [], []
    rows, invalid = [first], []
    for number, line in enumerate(lines, start=2):
        values = _split(line)
        if not values:
            continue
        if len(values) != len(first):
            invalid.append("    Line #{} (got {} columns instead of {})".format(number, len(values), len(first)))
            continue
        rows.append(values)
    return rows, invalid


def _squeeze(rows):
    if len(rows) == 1:
        rows = rows[0]
        return rows[0] if len(rows) == 1 else rows
    if len(rows[0]) == 1:
        return [row[0] for row in rows]
    return rows


def genfromtxt_csv(text):
    rows, invalid = _rows(text)
    if not rows:
        return []
    types = [_column_type(column) for column in zip(*rows)]
    if invalid:
        raise ValueError("\n".join(["Some errors were detected !"] + invalid))
    for (kind, _), column in zip(types, zip(*rows)):
        if kind == LONGDOUBLE:
            raise NumpyRequiredError("A CSV column that numpy reads as long double ({!r})".format(list(column)))
    values = [[_parse_or_missing(kind, value) for (kind, _), value in zip(types, row)] for row in rows]
    seen = set(kind for kind, checked in types if checked)
    if len(seen) != 1:
        records = [Record(row) for row in values]
        return records[0] if len(records) == 1 else records
    uniform = seen.pop()
    return _squeeze([[convert(value, uniform) for value in row] for row in values])
