"""Ties a worker's life to its front end's, even while a handler is busy and never reads the closed socket."""
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid):
    """Asks Linux to SIGKILL this process the moment its parent dies; returns False where that is unsupported
    (the worker then still exits on the socket's EOF, once its handler returns). Exits at once if the parent
    `parent_pid` is already gone, since the request to the kernel would then never fire."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
    return True
