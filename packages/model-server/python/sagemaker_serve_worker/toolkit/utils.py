"""Small helpers with the toolkit's names and behaviour."""
import re

CONTENT_TYPE_REGEX = re.compile("^[Cc]ontent-?[Tt]ype")


def read_file(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def write_file(path, data, mode="w"):
    with open(path, mode) as f:
        f.write(data)


def retrieve_content_type_header(request_property):
    for key in request_property:
        if CONTENT_TYPE_REGEX.match(key):
            return request_property[key]
    return None


def parse_accept(accept):
    return accept.replace(" ", "").split(",")


def remove_crlf(illegal_string):
    return illegal_string.replace("\r", " ").replace("\n", " ")
