"""The client: one HTTP session to a Valley, the job types as methods, uploads, and listings."""
import json
import os
from pathlib import Path

import httpx

from . import _formats
from ._errors import ApiError, JobCancelled, JobFailed, ModuleInvalid
from ._job import Job
from ._jobs_generated import JOB_TYPES, JobMethods


class Valley(JobMethods):
    """A connection to one Valley.

    ``url`` defaults to $VALLEY_URL (else http://localhost:8080) and ``token`` to $VALLEY_TOKEN (none: an open
    Valley). Each job type is a method (``train``, ``curve``, ``swa``, ``fge``, ``grid``) whose keyword arguments
    are its spec's fields; ``datasets`` and ``models`` upload.
    """

    def __init__(self, url=None, token=None, timeout=60.0):
        self.url = (url or os.environ.get("VALLEY_URL") or "http://localhost:8080").rstrip("/")
        token = token if token is not None else os.environ.get("VALLEY_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        self.datasets = Datasets(self)
        self.models = Models(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._http.close()

    def __repr__(self):
        return f"<Valley {self.url}>"

    def _request(self, method, path, **kwargs):
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    # Jobs

    def submit(self, type, spec, name=None, experiment=None, tags=None, reuse=None, pool=None, max_attempts=None,
               priority=None):
        """Submits a job of any type from its spec (a dict); the typed methods call this."""
        if type not in JOB_TYPES:
            raise ValueError(f"unknown job type {type!r}; one of {', '.join(JOB_TYPES)}")
        return self._submit(type, spec, name=name, experiment=experiment, tags=tags, reuse=reuse, pool=pool,
                            max_attempts=max_attempts, priority=priority)

    def _submit(self, type, spec, name=None, experiment=None, tags=None, reuse=None, pool=None, max_attempts=None,
                priority=None):
        body = {"type": type, "spec": {k: _wire(v) for k, v in spec.items() if v is not None}}
        for key, value in (("name", name), ("experiment", experiment), ("tags", tags), ("reuse", reuse)):
            if value is not None:
                body[key] = value
        resources = {k: v for k, v in (("pool", pool), ("maxAttempts", max_attempts), ("priority", priority))
                     if v is not None}
        if resources:
            body["resources"] = resources
        return Job(self, self._request("POST", "/api/v1/jobs", json=body).json())

    def job(self, id):
        return Job(self, self._request("GET", f"/api/v1/jobs/{_id(id)}").json())

    def jobs(self, status=None, type=None, experiment=None, tags=None, page_size=100):
        """Every job that matches, newest first, across all pages; ``tags`` (a dict) must all be the job's."""
        params = {k: v for k, v in (("status", status), ("type", type), ("experiment", experiment)) if v is not None}
        if tags:
            params["tag"] = [f"{k}:{v}" for k, v in tags.items()]
        jobs, page = [], 0
        while True:
            answer = self._request("GET", "/api/v1/jobs", params={**params, "page": page, "size": page_size}).json()
            jobs += [Job(self, view) for view in answer["content"]]
            page += 1
            if page >= answer["page"]["totalPages"]:
                return jobs

    def experiments(self):
        """Every experiment, with its jobs counted by status; the latest submitted first."""
        return self._request("GET", "/api/v1/experiments").json()

    def pools(self, pool=None):
        """What each worker pool owes (jobs waiting, queued and running; grid tiles; busy workers; ``owed``), or
        one pool's figures when ``pool`` is given."""
        return self._request("GET", "/api/v1/pools" + (f"/{pool}" if pool else "")).json()

    def defaults(self, type):
        """A job type's spec with every default filled in, as the API fills it."""
        return self._request("GET", f"/api/v1/jobs/defaults/{type}").json()

    def openapi(self):
        return self._request("GET", "/api/v1/openapi").json()


class Uploaded(dict):
    """An uploaded dataset's manifest or model's record: a dict, with ``id``. Passed in a spec, a dataset stands for
    its id and a model for the ref {"model": id}."""

    id = property(lambda self: self["id"])


class Dataset(Uploaded):
    pass


class UploadedModel(Uploaded):
    pass


class Module(UploadedModel):
    """An uploaded TorchScript module: its record (``status`` PENDING, READY or INVALID, and ``inspection`` once
    READY). ``module.spec`` is the model spec that names it in a job ({"arch": "torchscript", "module": id}); passed
    as a ref, the module stands for the archive's own weights ({"model": id})."""

    def __init__(self, client, record):
        super().__init__(record)
        self._client = client

    status = property(lambda self: self["status"])
    spec = property(lambda self: {"arch": "torchscript", "module": self.id})

    def refresh(self):
        self.update(self._client._request("GET", f"/api/v1/models/{self.id}").json())
        return self

    def wait(self, timeout=None):
        """Blocks until a worker has inspected the module (on its inspect job's event stream). Returns the module
        when READY; raises ModuleInvalid, with the inspection's reason, when it is INVALID."""
        if self.status == "PENDING":
            job = Job(self._client, self._client._request("GET", f"/api/v1/jobs/{self['inspectJob']}").json())
            try:
                job.wait(timeout=timeout)
            except (JobFailed, JobCancelled):
                pass
            self.refresh()
        if self.status == "INVALID":
            raise ModuleInvalid(self)
        return self


class _Uploads:
    """What was uploaded to ``path``, each read as ``kind``."""
    path = kind = None

    def __init__(self, client):
        self._client = client

    def get(self, id):
        return self._wrap(self._client._request("GET", f"{self.path}/{_id(id)}").json())

    def list(self):
        """Every upload, newest first."""
        return [self._wrap(d) for d in self._client._request("GET", self.path).json()]

    def _wrap(self, record):
        return self.kind(record)


class Datasets(_Uploads):
    path, kind = "/api/v1/datasets", Dataset

    def upload(self, x, y, x_test=None, y_test=None, name=None, test_fraction=None, seed=None):
        """Uploads numpy arrays (sent as one npz): features ``x`` [N, …] and class labels ``y`` [N], and a test split
        or ``test_fraction`` of the examples held out. Returns the dataset's manifest."""
        if (x_test is None) != (y_test is None):
            raise ValueError("give both x_test and y_test, or neither")
        data = {"format": "npz"}
        for key, value in (("name", name), ("testFraction", test_fraction), ("seed", seed)):
            if value is not None:
                data[key] = str(value)
        npz = _formats.write_npz(x=x, y=y, x_test=x_test, y_test=y_test)
        answer = self._client._request("POST", "/api/v1/datasets", data=data,
                                       files={"file": ("dataset.npz", npz, "application/octet-stream")})
        return Dataset(answer.json())

    def delete(self, id):
        self._client._request("DELETE", f"/api/v1/datasets/{_id(id)}")


class Models(_Uploads):
    path, kind = "/api/v1/models", UploadedModel

    def _wrap(self, record):
        """A TorchScript module's record is a Module; weights' an UploadedModel."""
        return Module(self._client, record) if record.get("format") == "torchscript" else UploadedModel(record)

    def upload(self, weights, model=None, dataset=None, name=None):
        """Uploads weights for a built-in architecture: ``weights`` is a state_dict (a torch module's, or name ->
        numpy array) with PyTorch's names for ``model`` (a model spec such as {"arch": "mlp", "hidden": [32]}),
        trained on ``dataset``. Sent as safetensors. Returns the upload's record; pass it as a ref.

        A network of your own goes up with ``upload_module``."""
        if model is None:
            raise ValueError("model= is required: name the built-in architecture the weights are for "
                             "(a network of your own goes up as TorchScript, with upload_module)")
        if dataset is None:
            raise ValueError("dataset= is required: the dataset the weights were trained on")
        if hasattr(weights, "state_dict"):
            weights = weights.state_dict()
        data = {"model": json.dumps(model), "dataset": _wire(dataset)}
        if name is not None:
            data["name"] = name
        file = _formats.write_safetensors(weights)
        answer = self._client._request("POST", "/api/v1/models", data=data,
                                       files={"file": ("model.safetensors", file, "application/octet-stream")})
        return UploadedModel(answer.json())

    def upload_module(self, module, dataset, name=None, wait=True, timeout=None):
        """Uploads a network of your own as TorchScript, for ``dataset``: ``module`` is a ScriptModule
        (torch.jit.script or torch.jit.trace of it), an nn.Module (scripted here), a .pt file's path or its bytes.
        A worker inspects it; with ``wait`` this returns once it is READY (raising ModuleInvalid with the reason
        otherwise), else at once, PENDING. Use ``module.spec`` as a job's model.

            m = v.models.upload_module(torch.jit.script(MyNet()), dataset="fashion-mnist")
            a = v.train(dataset="fashion-mnist", model=m.spec, init="seed", seed=1, epochs=5)
        """
        if dataset is None:
            raise ValueError("dataset= is required: the dataset the module takes samples of and predicts classes of")
        archive = _archive(module)
        data = {"format": "torchscript", "dataset": _wire(dataset)}
        if name is not None:
            data["name"] = name
        answer = self._client._request("POST", "/api/v1/models", data=data,
                                       files={"file": ("module.pt", archive, "application/octet-stream")})
        uploaded = Module(self._client, answer.json())
        return uploaded.wait(timeout=timeout) if wait else uploaded


def _archive(module):
    """The bytes of a TorchScript archive: read from a path, taken as they are, or saved by torch.jit.save."""
    if isinstance(module, (bytes, bytearray)):
        return bytes(module)
    if isinstance(module, (str, os.PathLike)):
        return Path(module).read_bytes()
    import io
    import torch
    if not isinstance(module, torch.jit.ScriptModule):
        module = torch.jit.script(module)
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    return buffer.getvalue()



def _id(value):
    return value.id if isinstance(value, (Job, Uploaded)) else str(value)


def _wire(value):
    """A spec value as JSON: a Job is the ref {"job": id}, (Job, artifact) names an artifact, an uploaded model is
    {"model": id}, a dataset its id; lists, tuples and dicts are converted inside."""
    if isinstance(value, Job):
        return {"job": value.id}
    if isinstance(value, UploadedModel):
        return {"model": value.id}
    if isinstance(value, Dataset):
        return value.id
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Job) and isinstance(value[1], str):
        return {"job": value[0].id, "artifact": value[1]}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    return value
