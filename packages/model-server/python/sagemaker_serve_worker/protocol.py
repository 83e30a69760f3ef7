"""Length-prefixed frames on the worker's socket.

A frame is `u32 length | u32 header length | header (JSON, UTF-8) | blob`; all integers are big-endian. The header
describes how the blob is cut into request or response bodies.
"""
import json
import struct

_U32 = struct.Struct("!I")
_PREFIX = struct.Struct("!II")


class Channel(object):
    def __init__(self, sock):
        self._sock = sock
        self._rfile = sock.makefile("rb", buffering=1 << 16)

    def read(self):
        """Returns (header, blob) or None when the front end has gone away."""
        head = self._rfile.read(4)
        if len(head) < 4:
            return None
        (length,) = _U32.unpack(head)
        payload = self._rfile.read(length)
        if len(payload) < length:
            return None
        (header_length,) = _U32.unpack_from(payload, 0)
        header = json.loads(payload[4 : 4 + header_length].decode("utf-8"))
        return header, memoryview(payload)[4 + header_length :]

    def write(self, header, chunks=()):
        encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
        total = 4 + len(encoded) + sum(len(c) for c in chunks)
        # One buffer, one sendall: the front end gets the frame in a single write.
        self._sock.sendall(b"".join((_PREFIX.pack(total, len(encoded)), encoded, *chunks)))
