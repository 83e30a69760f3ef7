"""The bundled sagemaker_inference handler side: its contract with MMS and user scripts, and numpy parity.

Run from packages/model-server: `python3 -m unittest discover -s python/tests -t python` (standard library only).
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from sagemaker_serve_worker.toolkit import content_types, decoder, encoder, errors, utils
from sagemaker_serve_worker.toolkit.default_handler_service import DefaultHandlerService
from sagemaker_serve_worker.toolkit.default_inference_handler import DefaultInferenceHandler
from sagemaker_serve_worker.toolkit.stdlib_array import NumpyRequiredError, to_array
from sagemaker_serve_worker.toolkit.stdlib_genfromtxt import Record, genfromtxt_csv
from sagemaker_serve_worker.toolkit.stdlib_savetxt import savetxt_csv
from tests.parity_compare import compare

HERE = os.path.dirname(os.path.abspath(__file__))
HAS_NUMPY = importlib.util.find_spec("numpy") is not None


class RequestProcessor(object):
    def __init__(self, properties):
        self._properties = properties

    def get_request_properties(self):
        return self._properties


class Context(object):
    """The part of MMS's Context the toolkit uses."""

    def __init__(self, model_dir, properties):
        self.system_properties = {"model_dir": model_dir}
        self.request_processor = [RequestProcessor(properties)]
        self.content_types = {}
        self.status = None

    def set_response_content_type(self, index, value):
        self.content_types[index] = value

    def set_response_status(self, code=200, phrase=""):
        self.status = (code, phrase)


class UserScript(object):
    """A model directory with `code/<name>.py`, importable while the test runs, as SAGEMAKER_PROGRAM."""

    def __init__(self, test, source, name="inference_under_test"):
        self.model_dir = tempfile.mkdtemp(prefix="toolkit-test-")
        code = os.path.join(self.model_dir, "code")
        os.mkdir(code)
        with open(os.path.join(code, name + ".py"), "w") as f:
            f.write(textwrap.dedent(source))
        sys.path.insert(0, code)
        saved = {key: os.environ.get(key) for key in ("SAGEMAKER_PROGRAM", "PYTHONPATH")}
        os.environ["SAGEMAKER_PROGRAM"] = name + ".py"
        test.addCleanup(sys.modules.pop, name, None)
        test.addCleanup(sys.path.remove, code)
        test.addCleanup(_restore_environ, saved)


def _restore_environ(saved):
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _service(test, source):
    script = UserScript(test, source)
    service = DefaultHandlerService()
    service.initialize(Context(script.model_dir, {}))
    return service, script.model_dir


IDENTITY = """
    def model_fn(model_dir):
        return "model"

    def predict_fn(data, model):
        return data
"""


class HandlerServiceContract(unittest.TestCase):
    def test_initialize_puts_the_code_directory_first_on_pythonpath(self):
        self.addCleanup(_restore_environ, {"PYTHONPATH": os.environ.get("PYTHONPATH")})
        os.environ["PYTHONPATH"] = "/elsewhere"
        _, model_dir = _service(self, IDENTITY)
        self.assertEqual(os.environ["PYTHONPATH"], model_dir + "/code:/elsewhere")

    def test_a_request_runs_input_predict_and_output_with_the_request_headers(self):
        service, model_dir = _service(self, IDENTITY)
        for header in ("Content-Type", "content-type", "ContentType", "contenttype"):
            context = Context(model_dir, {header: "text/csv", "Accept": "text/csv"})
            self.assertEqual(service.handle([{"body": b"1,2,3\n4,5,6"}], context), ["1,2,3\n4,5,6\n"])
            self.assertEqual(context.content_types, {0: "text/csv"})

    def test_accept_any_or_missing_uses_sagemaker_default_invocations_accept(self):
        os.environ["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"] = "text/csv"
        self.addCleanup(os.environ.pop, "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT")
        service, model_dir = _service(self, IDENTITY)
        for properties in ({"Content-Type": "application/json", "Accept": "*/*"}, {"content-type": "application/json"}):
            context = Context(model_dir, properties)
            self.assertEqual(service.handle([{"body": b"[[1, 2]]"}], context), ["1,2\n"])
            self.assertEqual(context.content_types, {0: "text/csv"})

    def test_the_first_supported_accept_type_wins(self):
        handler = DefaultInferenceHandler()
        self.assertEqual(
            utils.parse_accept("text/plain, text/csv,application/json"), ["text/plain", "text/csv", "application/json"]
        )
        self.assertEqual(handler.default_output_fn([1], "text/plain, application/json"), ("[1]", "application/json"))
        with self.assertRaises(errors.UnsupportedFormatError) as raised:
            handler.default_output_fn([1], "text/plain")
        # The toolkit's dedent() finds nothing to remove (the first line is not indented), so the indent stays.
        self.assertEqual(
            str(raised.exception),
            "Content type text/plain is not supported by this framework.\n\n"
            "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
            "            serialize the response. For more information, see the SageMaker Python SDK README.",
        )

    def test_transform_fn_with_input_fn_is_refused_at_load(self):
        with self.assertRaises(ValueError) as raised:
            _service(
                self,
                """
                def model_fn(model_dir):
                    return 1

                def transform_fn(model, data, content_type, accept):
                    return data

                def input_fn(data, content_type):
                    return data
                """,
            )
        self.assertIn("Cannot use transform_fn implementation in conjunction with", str(raised.exception))

    def test_handler_functions_get_the_context_when_they_take_one_more_argument(self):
        service, model_dir = _service(
            self,
            """
            def model_fn(model_dir, context):
                return context.system_properties["model_dir"]

            def transform_fn(model, data, content_type, accept, context):
                return model + "|" + data + "|" + content_type, "text/plain"
            """,
        )
        context = Context(model_dir, {"Content-Type": "application/json"})
        self.assertEqual(service.handle([{"body": b"[1]"}], context), [model_dir + "|[1]|application/json"])
        self.assertEqual(context.content_types, {0: "text/plain"})

    def test_errors_become_a_status_a_phrase_without_crlf_and_a_traceback(self):
        service, model_dir = _service(
            self,
            """
            from sagemaker_serve_worker.toolkit import errors

            def model_fn(model_dir):
                return None

            def predict_fn(data, model):
                if data == [1]:
                    raise errors.GenericInferenceToolkitError(418, "no\\r\\ncoffee")
                raise RuntimeError("boom")
            """,
        )
        context = Context(model_dir, {"Content-Type": "application/json"})
        [body] = service.handle([{"body": b"[1]"}], context)
        self.assertEqual(context.status, (418, "no  coffee"))
        self.assertTrue(body.startswith("no\r\ncoffee\nTraceback (most recent call last):"))
        context = Context(model_dir, {"Content-Type": "application/json"})
        [body] = service.handle([{"body": b"[2]"}], context)
        self.assertEqual(context.status, (500, "boom"))
        self.assertTrue(body.startswith("boom\nTraceback (most recent call last):"))

    def test_a_missing_model_fn_names_what_to_provide(self):
        with self.assertRaises(NotImplementedError) as raised:
            _service(self, "x = 1\n")
        self.assertIn("Please provide a model_fn implementation.", str(raised.exception))


class StandardLibraryPath(unittest.TestCase):
    """The numpy-free decoders and encoders, called directly (they never import numpy)."""

    def test_csv_infers_types_per_column_as_genfromtxt_does(self):
        self.assertEqual(genfromtxt_csv("1,2,3\n4,5,6"), [[1, 2, 3], [4, 5, 6]])
        self.assertEqual(genfromtxt_csv("1\n2"), [1, 2])
        self.assertEqual(genfromtxt_csv("5"), 5)
        self.assertEqual(genfromtxt_csv("1,\n2,3"), [[1, -1], [2, 3]])
        self.assertEqual(genfromtxt_csv('"a",b'), ['"a"', "b"])
        rows = genfromtxt_csv("1,2.5\n3,4")
        self.assertEqual(rows, [(1, 2.5), (3, 4.0)])
        self.assertTrue(all(isinstance(row, Record) for row in rows))

    def test_csv_output_is_what_savetxt_writes(self):
        self.assertEqual(savetxt_csv([[321], [654]]), "321\n654\n")
        self.assertEqual(savetxt_csv([1, 2.5]), "1.0\n2.5\n")
        self.assertEqual(savetxt_csv([1 + 2j, 3 - 4j]), " (1.0+2.0j)\n (3.0-4.0j)\n")
        self.assertEqual(savetxt_csv(genfromtxt_csv("1,2.5\n3,4")), "1,2.5\n3,4.0\n")
        with self.assertRaisesRegex(ValueError, "^Expected 1D or 2D array, got 0D array instead$"):
            savetxt_csv(5)

    def test_json_values_take_numpy_promotion(self):
        self.assertEqual(to_array([1, 2.5]).items, [1.0, 2.5])
        self.assertEqual(to_array([1, "a"]).items, ["1", "a"])
        self.assertEqual(to_array({"a": [1, 2.5]}).items, {"a": [1, 2.5]})
        with self.assertRaisesRegex(ValueError, "inhomogeneous shape after 1 dimensions"):
            to_array([[1, 2], [3]])

    def test_what_only_numpy_can_answer_is_refused_by_name(self):
        with self.assertRaisesRegex(NumpyRequiredError, "long double .*SAGEMAKER_SERVE_PYTHON"):
            genfromtxt_csv("0x10")
        with self.assertRaises(NumpyRequiredError):
            to_array([b"bytes"])


@unittest.skipIf(HAS_NUMPY, "numpy is importable in {}: the numpy path is the one in use".format(sys.executable))
class WithoutNumpy(unittest.TestCase):
    def test_npy_is_refused_with_the_toolkit_error(self):
        refused = "^Content type application/x-npy is not supported"
        with self.assertRaisesRegex(errors.UnsupportedFormatError, refused):
            decoder.decode(b"\x93NUMPY", content_types.NPY)
        with self.assertRaisesRegex(errors.UnsupportedFormatError, refused):
            encoder.encode([1], content_types.NPY)

    def test_the_decoders_use_the_standard_library_path(self):
        self.assertEqual(decoder.decode("1,2\n3,4", content_types.CSV), [[1, 2], [3, 4]])
        self.assertEqual(encoder.encode([[321], [654]], content_types.CSV), "321\n654\n")


def _answers(*flags):
    script = os.path.join(HERE, "parity_answers.py")
    command = [sys.executable, script] + list(flags)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return done.stdout.decode("utf-8").splitlines()


NO_NUMPY = "numpy is not importable in {}; test/stdlib-parity.test.ts compares with a numpy venv"


@unittest.skipUnless(HAS_NUMPY, NO_NUMPY.format(sys.executable))
class ParityWithNumpy(unittest.TestCase):
    def test_without_numpy_every_case_answers_as_with_numpy_or_is_refused(self):
        with_numpy, without = _answers(), _answers("--hide-numpy")
        self.assertEqual(json.loads(without[0])["numpy"], None)
        self.assertEqual(compare(with_numpy, without), [])

    def test_the_comparison_sees_a_different_answer(self):
        with_numpy = _answers()
        changed = [with_numpy[0], json.dumps(dict(json.loads(with_numpy[1]), answer={"text": "other"}))]
        header = json.dumps({"numpy": None, "python": "x"})
        self.assertEqual(len(compare(with_numpy[:2], [header, changed[1]])), 1)
        self.assertEqual(compare(with_numpy[:2], [header, with_numpy[1]]), [])


if __name__ == "__main__":
    unittest.main()
