import sys


def handle(data, context):
    """The echo handler that also prints 8 MiB without a newline per request: the log path under stress."""
    if data is None:
        return None
    sys.stdout.write("x" * (8 * 1024 * 1024))
    sys.stdout.flush()
    return [item.get("body") for item in data]
