"""A job as the client holds it: its last known view, waiting on its event stream, and its artifacts."""
import hashlib
import os
import time
from pathlib import Path

from . import _events, _formats
from ._errors import ApiError, JobCancelled, JobFailed

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


class Job:
    """One job. Its fields are the API's job view (``job.view``), refreshed by ``refresh()`` and by ``wait()``.

    A Job passed in a spec stands for the ref ``{"job": id}``; ``(job, "sgd.safetensors")`` names another artifact.
    """

    def __init__(self, client, view):
        self._client = client
        self.view = view

    id = property(lambda self: self.view["id"])
    type = property(lambda self: self.view["type"])
    name = property(lambda self: self.view.get("name"))
    status = property(lambda self: self.view["status"])
    progress = property(lambda self: self.view["progress"])
    spec = property(lambda self: self.view["spec"])
    result = property(lambda self: self.view.get("result"))
    error = property(lambda self: self.view.get("error"))
    experiment = property(lambda self: self.view.get("experiment"))
    tags = property(lambda self: self.view.get("tags") or {})
    reused = property(lambda self: bool(self.view.get("reused")))  # True: a submission answered by this job
    artifacts = property(lambda self: {a["name"]: a for a in self.view.get("artifacts") or []})

    @property
    def done(self):
        return self.status in FINAL

    def __repr__(self):
        label = f" {self.name!r}" if self.name else ""
        return f"<Job {self.type}{label} {self.id} {self.status} {self.progress:.0%}>"

    def history(self):
        """Each epoch's figures as the job reported them, while it runs and after: a list of dicts with ``series``
        (the run within the job: train, curve, baseline, swa, fge), ``attempt``, ``at`` and ``figures`` (epoch, lr,
        losses, accuracies, seconds)."""
        return self.refresh().view.get("history") or []

    def lineage(self):
        """The graph the job's result came from and what was built on it: ``nodes`` (jobs, uploaded datasets and
        models, each with its ``depth``: < 0 upstream, > 0 downstream) and ``edges`` (from an input to the job that
        read it, with the spec ``field`` and the ``artifact``)."""
        return self._client._request("GET", f"/api/v1/jobs/{self.id}/lineage").json()

    def refresh(self):
        self.view = self._client._request("GET", f"/api/v1/jobs/{self.id}").json()
        return self

    def cancel(self):
        self.view = self._client._request("POST", f"/api/v1/jobs/{self.id}/cancel").json()
        return self

    def events(self, deadline=None):
        """The job's view after every change, from now until it ends (its event stream, reconnecting)."""
        for view in _events.stream(self._client._http, f"/api/v1/jobs/{self.id}/events", deadline=deadline):
            self.view = view
            yield self

    def wait(self, timeout=None, progress=False):
        """Blocks until the job ends, on its event stream (no polling). Returns the job when it SUCCEEDED.

        Raises JobFailed (with the job's error) or JobCancelled when it ends otherwise, and TimeoutError after
        ``timeout`` seconds. ``progress=True`` shows a tqdm bar fed by the stream.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=100, desc=f"{self.type} {self.name or self.id[:8]}", unit="%")
        try:
            while not self.done:
                for _ in self.events(deadline):
                    if bar is not None:
                        bar.n = round(self.progress * 100)
                        bar.set_postfix_str(self.status, refresh=True)
                if not self.done:
                    self.refresh()  # the stream ended early (a restart): read the job and watch again
        finally:
            if bar is not None:
                bar.close()
        if self.status == "FAILED":
            raise JobFailed(self)
        if self.status == "CANCELLED":
            raise JobCancelled(self)
        return self

    # Artifacts

    def read(self, name):
        """An artifact's bytes, checked against the SHA-256 the API reports for it."""
        response = self._client._request("GET", f"/api/v1/jobs/{self.id}/artifacts/{name}")
        data = response.content
        _check(name, hashlib.sha256(data).hexdigest(), self._expected_sha(name, response))
        return data

    def download(self, name, path):
        """Streams an artifact to ``path`` (a file, or a folder to put ``name`` in), checking its SHA-256 as it
        goes; a file whose checksum differs is removed and ValueError raised. Returns the path."""
        path = Path(path)
        if path.is_dir():
            path = path / name
        partial = path.with_name(path.name + ".part")
        digest = hashlib.sha256()
        with self._client._http.stream("GET", f"/api/v1/jobs/{self.id}/artifacts/{name}") as response:
            if response.status_code >= 400:
                response.read()
                raise ApiError.from_response(response)
            with open(partial, "wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            expected = self._expected_sha(name, response)
        try:
            _check(name, digest.hexdigest(), expected)
        except ValueError:
            partial.unlink()
            raise
        os.replace(partial, path)
        return path

    def _expected_sha(self, name, response):
        listed = self.artifacts.get(name) or self.refresh().artifacts.get(name)
        return (listed or {}).get("sha256") or response.headers.get("X-Checksum-SHA256")

    def arrays(self, name=None):
        """The arrays of the job's .npz artifact (grid.npz for a grid, curve.npz for a curve), name -> numpy."""
        if name is None:
            candidates = [n for n in self.artifacts if n.endswith(".npz")]
            if not candidates:
                candidates = [n for n in self.refresh().artifacts if n.endswith(".npz")]
            if len(candidates) != 1:
                raise ValueError(f"{self!r} has npz artifacts {candidates}; name one")
            name = candidates[0]
        return _formats.read_npz(self.read(name))

    def weights(self, name="model.safetensors", as_torch=False):
        """A safetensors artifact's tensors, name -> numpy array (torch tensors with ``as_torch=True``)."""
        tensors = _formats.read_safetensors(self.read(name))
        if as_torch:
            import torch
            return {k: torch.from_numpy(v) for k, v in tensors.items()}
        return tensors

    def json(self, name):
        """A JSON artifact (grid.json, curve.json, …)."""
        import json
        return json.loads(self.read(name))


def _check(name, actual, expected):
    if expected and actual != expected:
        raise ValueError(f"{name}: SHA-256 {actual} is not the {expected} the API reports; the download is corrupt")
