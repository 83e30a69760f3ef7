"""A standard-library implementation of sagemaker-inference-toolkit's handler side (script mode).

Used when the `sagemaker_inference` package is not installed: `model_fn`, `input_fn`, `predict_fn`, `output_fn` or
`transform_fn` from the user's `SAGEMAKER_PROGRAM` (default `inference.py`). NPY needs numpy; JSON and CSV work
without it.
"""
