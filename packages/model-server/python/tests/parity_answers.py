"""Prints, one JSON line per case of parity_cases, what this interpreter's bundled toolkit answers.

Run as `python parity_answers.py [--hide-numpy]` from any directory; the first line says whether numpy was used.
`--hide-numpy` makes `import numpy` fail, as in an interpreter without it.
"""
import json
import os
import sys
import traceback

if "--hide-numpy" in sys.argv[1:]:
    sys.modules["numpy"] = None
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from parity_cases import DECODE_CASES, ENCODE_CASES  # noqa: E402

from sagemaker_serve_worker.toolkit.default_inference_handler import DefaultInferenceHandler  # noqa: E402


def _answer(run):
    try:
        body, content_type = run()
    except Exception as error:  # noqa: BLE001 - an error is an answer to compare
        first = (str(error).splitlines() or [""])[0]
        return {"error": type(error).__name__, "message": first, "where": traceback.format_exc().splitlines()[-1]}
    if isinstance(body, bytes):
        return {"bytes": body.hex(), "content_type": content_type}
    return {"text": body, "content_type": content_type}


def _decode_case(handler, case):
    def run():
        data = handler.default_input_fn(case["body"], case["content_type"])
        return handler.default_output_fn(data, case["accept"])

    return run


def _encode_case(handler, case):
    prediction = eval(case["prediction"], {"__builtins__": {"float": float, "range": range}})  # noqa: S307
    return lambda: handler.default_output_fn(prediction, case["accept"])


def main():
    try:
        import numpy
    except ImportError:
        numpy = None
    print(json.dumps({"numpy": numpy.__version__ if numpy else None, "python": sys.version.split()[0]}))
    handler = DefaultInferenceHandler()
    for case in DECODE_CASES:
        print(json.dumps(dict(case, answer=_answer(_decode_case(handler, case)))))
    for case in ENCODE_CASES:
        print(json.dumps(dict(case, answer=_answer(_encode_case(handler, case)))))


if __name__ == "__main__":
    main()
