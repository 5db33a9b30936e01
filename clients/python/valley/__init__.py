"""Valley's Python client: submit loss-landscape jobs, wait on them, and read their results as numpy arrays.

    import valley
    v = valley.Valley()                  # $VALLEY_URL (default http://localhost:8080), $VALLEY_TOKEN
    a = v.train(dataset="spirals", model={"arch": "mlp", "hidden": [32]}, epochs=20, seed=1)
    b = v.train(dataset="spirals", model={"arch": "mlp", "hidden": [32]}, epochs=20, seed=2)
    c = v.curve(endpoints=[a, b], epochs=10)
    g = v.grid(plane={"kind": "curve", "curve": c}, resolution=[21, 21])
    z = g.wait(progress=True).arrays()   # grid.npz as numpy arrays
"""
from ._client import Dataset, UploadedModel, Valley
from ._errors import ApiError, JobCancelled, JobFailed
from ._job import Job

__all__ = ["Valley", "Job", "Dataset", "UploadedModel", "ApiError", "JobFailed", "JobCancelled"]
__version__ = "0.1.0"
