"""The echo handler served the way AWS's bring-your-own-container example serves models: Flask under gunicorn."""
import os
import sys

import flask

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "echo"))
import echo_handler  # noqa: E402

echo_handler.handle(None, None)
app = flask.Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping():
    return flask.Response(response="\n", status=200, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def invocations():
    result = echo_handler.handle([{"body": flask.request.get_data()}], None)
    return flask.Response(response=result[0], status=200, mimetype=flask.request.content_type)
