"""Valley's Python client: submit loss-landscape jobs, wait on them, and read their results as numpy arrays.

    import valley
    v = valley.Valley()                  # $VALLEY_URL (default http://localhost:8080), $VALLEY_TOKEN
    a = v.train(dataset="spirals", model={"arch": "mlp", "hidden": [32]}, epochs=20, seed=1)
    b = v.train(dataset="spirals", model={"arch": "mlp", "hidden": [32]}, epochs=20, seed=2)
    c = v.curve(endpoints=[a, b], epochs=10)
    g = v.grid(plane={"kind": "curve", "curve": c}, resolution=[21, 21])
    z = g.wait(progress=True).arrays()   # grid.npz as numpy arrays

    m = v.models.upload_module(torch.jit.script(MyNet()), dataset="fashion-mnist")   # your own network
    t = v.train(dataset="fashion-mnist", model=m.spec, init="seed", seed=1, epochs=5)
"""
from ._client import Dataset, Module, UploadedModel, Valley
from ._errors import ApiError, JobCancelled, JobFailed, ModuleInvalid
from ._job import Job

__all__ = ["Valley", "Job", "Dataset", "UploadedModel", "Module", "ApiError", "JobFailed", "JobCancelled",
           "ModuleInvalid"]
__version__ = "0.1.0"
