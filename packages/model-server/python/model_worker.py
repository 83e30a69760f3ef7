"""Entry point of a sagemaker-serve model worker: `python3 model_worker.py --fd 3 --parent <front end pid>`.

The Node front end talks to this process over a dedicated socket (fd 3), never over stdout/stderr, so whatever a
handler prints ends up in the log and cannot corrupt the protocol.
"""
import sys

from sagemaker_serve_worker.worker import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
