"""Python side of the sagemaker-serve built-in model server (standard library only)."""

__version__ = "1.1.11"
