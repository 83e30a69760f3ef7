"""Length-prefixed frames on the worker's socket.

A frame is `u32 header length | u64 blob length | header (JSON, UTF-8) | blob`, big-endian. The header's `parts`
lists the lengths the blob is cut into (request or response bodies). Each part is read straight into a bytearray
of its own with `recv_into` (the type MMS hands handlers, and no second copy); replies go out with one vectored
`sendmsg` of the head and the bodies, never joined.
"""
import json
import socket
import struct

_PREFIX = struct.Struct("!IQ")
_SCRATCH_BYTES = 1 << 16
# A response of megabytes otherwise crosses the socket in the kernel's default 208 KiB steps, each a wake-up of
# both processes; the kernel caps the request at net.core.wmem_max.
_SEND_BUFFER_BYTES = 4 << 20
_SINGLE_SEND_BYTES = 1 << 16


class ProtocolError(Exception):
    """The front end sent something that is not a frame."""


class Channel(object):
    def __init__(self, sock):
        self._sock = sock
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER_BYTES)
        except OSError:
            pass
        self._scratch = bytearray(_SCRATCH_BYTES)
        self._view = memoryview(self._scratch)
        # Bytes received into the scratch buffer but not consumed yet: [start, end).
        self._start = 0
        self._end = 0

    def _fill(self):
        """Receives more into the scratch buffer; False at EOF."""
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == len(self._scratch):
            kept = self._end - self._start
            self._scratch[:kept] = self._scratch[self._start : self._end]
            self._start, self._end = 0, kept
        n = self._sock.recv_into(self._view[self._end :])
        if n == 0:
            return False
        self._end += n
        return True

    def _take_small(self, length):
        """Returns `length` bytes (no longer than the scratch buffer) or None at EOF."""
        while self._end - self._start < length:
            if not self._fill():
                return None
        data = bytes(self._view[self._start : self._start + length])
        self._start += length
        return data

    def _take_into(self, target):
        """Fills the bytearray `target`: first from what is buffered, then straight from the socket."""
        view = memoryview(target)
        buffered = min(self._end - self._start, len(target))
        view[:buffered] = self._view[self._start : self._start + buffered]
        self._start += buffered
        filled = buffered
        while filled < len(target):
            n = self._sock.recv_into(view[filled:])
            if n == 0:
                return False
            filled += n
        return True

    def read(self):
        """Returns (header, parts) where parts is a list of bytearrays, or None when the front end has gone."""
        prefix = self._take_small(_PREFIX.size)
        if prefix is None:
            return None
        header_length, blob_length = _PREFIX.unpack(prefix)
        if header_length <= _SCRATCH_BYTES:
            raw = self._take_small(header_length)
            if raw is None:
                return None
        else:
            raw = bytearray(header_length)
            if not self._take_into(raw):
                return None
        header = json.loads(bytes(raw).decode("utf-8"))
        lengths = header.get("parts", [])
        if sum(lengths) != blob_length:
            raise ProtocolError("frame parts do not add up to its blob length")
        parts = []
        for length in lengths:
            part = bytearray(length)
            if not self._take_into(part):
                return None
            parts.append(part)
        return header, parts

    def write(self, header, parts=()):
        """Sends a frame: `header` (a dict, JSON without NaN) and `parts` (bytes-like): up to 64 KiB joined in one send,
        larger ones as one vectored send of the head and the parts, never joined."""
        views = [memoryview(part).cast("B") for part in parts]
        header = dict(header, parts=[view.nbytes for view in views])
        encoded = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
        blob_length = sum(view.nbytes for view in views)
        head = _PREFIX.pack(len(encoded), blob_length) + encoded
        if blob_length <= _SINGLE_SEND_BYTES:
            # A small frame is joined and sent with one plain send, cheaper than building a vectored one.
            self._sock.sendall(b"".join([head, *views]) if views else head)
            return
        pending = [head]
        pending.extend(view for view in views if view.nbytes > 0)
        while pending:
            sent = self._sock.sendmsg(pending)
            while sent > 0:
                first = memoryview(pending[0]).cast("B")
                if sent >= first.nbytes:
                    sent -= first.nbytes
                    pending.pop(0)
                else:
                    pending[0] = first[sent:]
                    sent = 0
