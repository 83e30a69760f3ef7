"""Compares two runs of parity_answers.py: the first with numpy, the second without.

Every answer must be the same (text, bytes and content type, or error type and message) except where the case is
marked `needs_numpy`: there the standard-library run must refuse with NumpyRequiredError or UnsupportedFormatError.
Run as `python parity_compare.py NUMPY_ANSWERS STDLIB_ANSWERS`: prints the differences, exits 1 if there are any.
"""
import json
import sys

REFUSALS = ("NumpyRequiredError", "UnsupportedFormatError")


def _comparable(answer):
    return {key: value for key, value in answer.items() if key != "where"}


def compare(numpy_lines, stdlib_lines):
    """The problems (strings) found between two answer files' lines."""
    numpy_header, stdlib_header = json.loads(numpy_lines[0]), json.loads(stdlib_lines[0])
    problems = []
    if numpy_header["numpy"] is None:
        problems.append("the first run had no numpy: {}".format(numpy_header))
    if stdlib_header["numpy"] is not None:
        problems.append("the second run had numpy: {}".format(stdlib_header))
    if len(numpy_lines) != len(stdlib_lines):
        problems.append("{} answers against {}".format(len(numpy_lines), len(stdlib_lines)))
    for numpy_line, stdlib_line in zip(numpy_lines[1:], stdlib_lines[1:]):
        case, stdlib_case = json.loads(numpy_line), json.loads(stdlib_line)
        expected, actual = _comparable(case.pop("answer")), _comparable(stdlib_case.pop("answer"))
        if case != stdlib_case:
            problems.append("cases out of step: {} / {}".format(case, stdlib_case))
            break
        if case.get("needs_numpy"):
            if actual.get("error") not in REFUSALS:
                problems.append("{}: without numpy answered {} instead of refusing".format(case, actual))
        elif expected != actual:
            problems.append("{}:\n  with numpy    {}\n  without numpy {}".format(case, expected, actual))
    return problems


def main(numpy_path, stdlib_path):
    with open(numpy_path) as numpy_file, open(stdlib_path) as stdlib_file:
        problems = compare(numpy_file.read().splitlines(), stdlib_file.read().splitlines())
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
