"""Inputs on which the standard-library handler side must answer exactly as sagemaker-inference-toolkit with numpy.

`DECODE_CASES`: request bodies run through the default `input_fn`, an identity `predict_fn` and the default
`output_fn`. `ENCODE_CASES`: predictions (Python literals) run through the default `output_fn`. A case marked
`needs_numpy` is one the standard library cannot reproduce: without numpy it must be refused with
`NumpyRequiredError`, never answered differently.
"""
import random

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"

_CSV_BODIES = [
    "1,2,3\n4,5,6",
    "1,2,3",
    "1\n2\n3",
    "5",
    "1.5",
    "-0",
    "a,b",
    "1,2.5",
    "1,2.5\n3,4",
    "1,a\n2,b",
    "a,1\nb,2.5",
    "true,false",
    "TRUE,1",
    "tRuE\nFalse",
    "1,true",
    "1,\n2,3",
    ",\n,",
    "1,\n2,",
    "a,\nb,",
    "true,\n,false",
    "1, ",
    "",
    "\n",
    " ",
    "#only a comment",
    "#c\n1,2",
    "1,2#x\n3,4",
    "1,2\n\n3,4",
    "  \n1",
    "1,2,3\n",
    "1e5,2",
    "nan,1",
    "inf,-inf",
    "infinity,-Infinity",
    "+nan",
    "1e400",
    "1.,.5\n5.0,1e-7",
    "0.1,0.2\n1e16,123456789.123",
    "1+2j,3",
    "j",
    "(1+2j),1-2j\n3,4",
    "1_000,2",
    "+5,0012",
    " 1, 2",
    "\t1,2\t",
    "1 2,3",
    "\u0663,1",
    "\uff11,2",
    "\u00b2,1",
    "1,2\r\n3,4\r\n",
    "1,2\r3,4",
    '"a","b"',
    '"1","2"',
    '"a,b",c',
    "1.0.0",
    "1e,1d5",
    "-,+-1",
    "yes,no",
    "\u00e9,\u00fc",
    "9223372036854775807,1",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999,1",
    "0x",
    "0x1g,1",
    "nan(a b)",
    "a\x00,b",
    "1,2\n3",
    "1,2\n3,4,5\n6",
    "\n1,2\n\n3",
]

_CSV_NEEDS_NUMPY = ["0x10", "0x10\n0x20", " 0x10 ", "0x10,abc", "0x1p3,1", "nan(123)", "1\x00", "-0X.8P1"]

# Fields that move a column between numpy's types, for generated CSV bodies (fixed seed: the same bodies every run).
_CSV_FIELDS = ["1", "-2", "0", "3.5", "1e3", "nan", "inf", "true", "False", "a", "b c", "1+2j", "j", "", " ",
               "12345678901234567890", "-", "_1", "1_0", '"q"', "#", "\t7", "\u00e9"]


def _generated_csv(count, seed=16):
    draw = random.Random(seed)
    bodies = []
    for _ in range(count):
        width = draw.randint(1, 3)
        lines = []
        for _ in range(draw.randint(1, 4)):
            fields = width if draw.random() > 0.1 else draw.randint(1, 4)
            lines.append(",".join(draw.choice(_CSV_FIELDS) for _ in range(fields)))
        bodies.append(draw.choice(["\n", "\r\n"]).join(lines) + draw.choice(["", "\n"]))
    return bodies


_LEAVES = ["0", "1", "-1", "2.5", "True", "False", "'a'", "''", "None", "{}", "{'k': 1}", "2 ** 63", "2 ** 64",
           "-2 ** 63 - 1", "1e16", "float('nan')", "1+2j"]


def _generated_prediction(draw, depth=0):
    if depth < 3 and draw.random() < 0.5:
        first = _generated_prediction(draw, depth + 1)
        items = [
            first if draw.random() < 0.6 else _generated_prediction(draw, depth + 1) for _ in range(draw.randint(0, 3))
        ]
        return "[" + ", ".join(items) + "]"
    return draw.choice(_LEAVES)


def _generated_predictions(count, seed=16):
    draw = random.Random(seed)
    return [_generated_prediction(draw) for _ in range(count)]


_JSON_NEEDS_NUMPY = ["9223372036854775808", "[9223372036854775808]", "[9223372036854775808, true]"]

_JSON_BODIES = [
    "[[1, 2, 3]]",
    "[1, 2.5]",
    "[true, 1]",
    "[true, 1.5]",
    "[1, \"a\"]",
    "[1.5, \"a\"]",
    "[true, \"a\"]",
    "[0.1, 1e16, 1e-7, \"x\"]",
    "[[1, \"a\"], [2.5, true]]",
    "[null, \"a\"]",
    "[null, 1]",
    "[{\"a\": 1}, {\"b\": 2}]",
    "{\"a\": [1, 2.5]}",
    "[[1, 2], {\"a\": 1}]",
    "[[1, 2], [3]]",
    "[1, [2]]",
    "[[[1], [2]], [[3], [4, 5]]]",
    "[[1, 2], [3, [4]]]",
    "[[[]], [1]]",
    "[[], 1]",
    "[\"ab\", [\"a\", \"b\"]]",
    "[]",
    "[[]]",
    "[[], []]",
    "[[[]]]",
    "[9223372036854775808, -1]",
    "[9223372036854775808, \"a\"]",
    "[9223372036854775808, null]",
    "[18446744073709551616, 1]",
    "[18446744073709551616, 1.5]",
    "[-9223372036854775809]",
    "[1, 18446744073709551616]",
    "5",
    "1.5",
    "true",
    "\"abc\"",
    "null",
    "NaN",
    "[NaN, Infinity, -Infinity]",
    "[[1, 2], [3, null]]",
    "[[1, 2], [3, {}]]",
    "[[[1]], [[2]]]",
    "[\"\", 1]",
    "[\"a\\u0000\", \"b\"]",
    "[[1, 2], [3, 4.5]]",
]

DECODE_CASES = (
    [
        {"content_type": CSV, "body": body, "accept": accept}
        for body in _CSV_BODIES + _generated_csv(300)
        for accept in (JSON, CSV)
    ]
    + [{"content_type": CSV, "body": body, "accept": CSV, "needs_numpy": True} for body in _CSV_NEEDS_NUMPY]
    + [{"content_type": JSON, "body": body, "accept": accept} for body in _JSON_BODIES for accept in (JSON, CSV)]
    + [{"content_type": JSON, "body": body, "accept": CSV, "needs_numpy": True} for body in _JSON_NEEDS_NUMPY]
    + [
        {"content_type": NPY, "body": "", "accept": JSON, "needs_numpy": True},
        {"content_type": "application/octet-stream", "body": "raw", "accept": JSON},
        {"content_type": JSON, "body": "[1]", "accept": "text/plain"},
        {"content_type": JSON, "body": "[1]", "accept": "text/plain, text/csv"},
        {"content_type": JSON, "body": "[1]", "accept": "application/x-npy, application/json", "needs_numpy": True},
    ]
)

ENCODE_CASES = [
    {"prediction": prediction, "accept": accept}
    for prediction in [
        "[[321], [654]]",
        "[321, 654]",
        "[1, 2.5]",
        "[[1, 2], [3, 4.5]]",
        "[(1, 2), (3, 4)]",
        "((1, 'a'), (2, 'b'))",
        "[1+2j, 3-4j]",
        "[[1+2j, 3], [0j, -1-1j]]",
        "[True, False]",
        "[True, 2]",
        "['a', 'bc']",
        "[None, 1]",
        "[{'a': 1}, {'b': 2}]",
        "[[1, None], [2, 'x']]",
        "[2 ** 63, 1]",
        "[2 ** 64, 1]",
        "[2 ** 63, -1]",
        "[[]]",
        "[[], []]",
        "[]",
        "[[[1]]]",
        "[[1, 2], [3]]",
        "5",
        "'abc'",
        "None",
        "{'a': 1}",
        "1.5",
        "(1, 2.5)",
        "[float('nan'), float('inf')]",
        "[0.1, 1e16, 1e-7, 5e-324]",
        "range(3)",
        "[range(2), range(2)]",
    ]
    + _generated_predictions(300)
    for accept in (JSON, CSV)
]
