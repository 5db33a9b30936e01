"""The walkthrough of the README, through the client, on a real Valley: from submission to numpy arrays."""
import hashlib

import random
import uuid

import numpy as np
import pytest

import valley
from valley import _formats

MODEL = {"arch": "mlp", "hidden": [16]}
TIMEOUT = 600


EXPERIMENT = f"py-{uuid.uuid4()}"
# Seeds no other test of the suite uses: they share one database, and a reuse would find their jobs.
SEED = random.randrange(1_000_000, 2_000_000)


@pytest.fixture(scope="module")
def endpoints(v):
    a = v.train(dataset="spirals", model=MODEL, epochs=8, seed=SEED, name="py endpoint 1", experiment=EXPERIMENT,
                tags={"role": "endpoint", "seed": "1"})
    b = v.train(dataset="spirals", model=MODEL, epochs=8, seed=SEED + 1, name="py endpoint 2",
                experiment=EXPERIMENT, tags={"role": "endpoint", "seed": "2"})
    return a.wait(timeout=TIMEOUT), b.wait(timeout=TIMEOUT)


def test_train_curve_grid_to_numpy(v, endpoints, tmp_path):
    a, b = endpoints
    c = v.curve(endpoints=[a, b], epochs=4, points=5, name="py curve")
    g = v.grid(plane={"kind": "curve", "curve": c}, resolution=[5, 4], name="py grid")
    assert c.spec["endpoints"][0]["job"] == a.id  # a Job is a ref
    # The job's event stream carries its views to the end (wait() rides on it, it does not poll).
    assert [j.status for j in g.events()][-1] == "SUCCEEDED"
    g.wait(timeout=TIMEOUT, progress=True)
    assert c.refresh().status == "SUCCEEDED"

    z = g.arrays()
    assert z["x"].shape == (5,) and z["y"].shape == (4,)
    # grid.json is written separately from grid.npz (float32 beside float64): the two must agree.
    from_json = g.json("grid.json")["values"]
    for metric in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert z[metric].shape == (4, 5)
        np.testing.assert_allclose(z[metric], np.array(from_json[metric]), rtol=1e-6)
    np.testing.assert_allclose(z["x"], np.linspace(-0.2, 1.2, 5))

    # The curve's first bend is endpoint a's weights, stored by another job: the same numbers.
    w = a.weights()
    assert {k: v.shape for k, v in w.items()} == {"layers.0.weight": (16, 2), "layers.0.bias": (16,),
                                                  "layers.1.weight": (3, 16), "layers.1.bias": (3,)}
    bends = c.weights("curve.safetensors")
    for name, array in w.items():
        np.testing.assert_array_equal(bends[f"bends.0.{name}"], array)

    # A download streams to disk; its bytes hash to the SHA-256 the API lists, and read as the same arrays.
    path = g.download("grid.npz", tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == g.artifacts["grid.npz"]["sha256"]
    np.testing.assert_array_equal(np.load(path)["test_loss"], z["test_loss"])


def test_history_is_each_epoch_as_reported(v, endpoints):
    a, _ = endpoints
    history = a.history()
    assert [h["figures"]["epoch"] for h in history] == list(range(1, 9))
    assert {h["series"] for h in history} == {"train"}
    # The same figures the result lists at the end, reported one by one while the job ran.
    assert [h["figures"]["trainLoss"] for h in history] == [e["trainLoss"] for e in a.result["history"]]


def test_swa_and_fge_from_a_trained_network(v, endpoints):
    a, _ = endpoints
    s = v.swa(start=a, epochs=4, swaStart=2, name="py swa")
    f = v.fge(start=(a, "model.safetensors"), epochs=4, cycle=2, name="py fge")
    s.wait(timeout=TIMEOUT)
    f.wait(timeout=TIMEOUT)
    assert set(s.weights("swa.safetensors")) == set(a.weights())
    assert len(f.result["snapshots"]) == 2  # 4 epochs of 2-epoch cycles: a snapshot at each cycle's low point


def test_uploads_a_dataset_and_weights(v, endpoints):
    a, b = endpoints
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 0.5, (100, 2)), rng.normal(2, 0.5, (100, 2))]).astype(np.float32)
    y = np.repeat([0, 1], 100)
    ds = v.datasets.upload(x, y, name="py blobs", test_fraction=0.2)
    # 200 examples, a fifth held out, two classes of 2-D points: counted by hand.
    assert (ds["train"], ds["test"], ds["classes"], ds["sampleShape"]) == (160, 40, 2, [2])
    assert v.datasets.get(ds.id) == ds and ds.id in [d.id for d in v.datasets.list()]
    t = v.train(dataset=ds, model={"arch": "mlp", "hidden": [8]}, epochs=3, seed=4, name="py on blobs")
    assert t.spec["dataset"] == ds.id
    t.wait(timeout=TIMEOUT)

    weights = a.weights()
    m = v.models.upload(weights, model=MODEL, dataset="spirals", name="py upload")
    assert m["sha256"] == hashlib.sha256(_formats.write_safetensors(weights)).hexdigest()
    assert v.models.get(m.id)["sha256"] == m["sha256"] and m.id in [u.id for u in v.models.list()]
    line = v.grid(plane={"kind": "line", "points": [m, b]}, resolution=[5, 1], name="py line from upload")
    line.wait(timeout=TIMEOUT)
    # At x = 0 the line is the uploaded network, which is a's: the same test loss a's line to b sees there.
    same = v.grid(plane={"kind": "line", "points": [a, b]}, resolution=[5, 1], name="py line").wait(timeout=TIMEOUT)
    np.testing.assert_allclose(line.arrays()["test_loss"], same.arrays()["test_loss"], rtol=1e-6)

    # Lineage names the uploads too: the dataset a job trained on, the weights a grid read.
    graph = t.lineage()
    assert {(n["kind"], n["id"], n["depth"]) for n in graph["nodes"]} == {("dataset", ds.id, -1), ("job", t.id, 0)}
    assert graph["edges"] == [{"from": ds.id, "to": t.id, "field": "dataset", "artifact": None}]
    upstream = {(n["kind"], n["id"]) for n in line.lineage()["nodes"] if n["depth"] < 0}
    assert upstream == {("model", m.id), ("job", b.id)}


def test_a_bad_spec_is_an_api_error_naming_the_field(v):
    with pytest.raises(valley.ApiError) as caught:
        v.train(dataset="spirals", model=MODEL, epochs=0)
    assert caught.value.status == 400
    assert [f for f, _ in caught.value.errors] == ["spec.epochs"]
    assert "spec.epochs" in str(caught.value)
    with pytest.raises(TypeError):
        v.train(dataset="spirals", model=MODEL, epoch=3)  # a misspelt field is Python's own error


def test_a_cancelled_job_raises_job_cancelled(v):
    j = v.train(dataset="spirals", model=MODEL, epochs=1000, name="py to cancel")
    j.cancel()
    with pytest.raises(valley.JobCancelled):
        j.wait(timeout=TIMEOUT)
    assert j.status == "CANCELLED"


def test_jobs_lists_every_page_newest_first(v, endpoints):
    a, b = endpoints
    listed = v.jobs(type="train", page_size=2)
    ids = [j.id for j in listed]
    assert a.id in ids and b.id in ids and len(ids) == len(set(ids))
    created = [j.view["createdAt"] for j in listed]
    assert created == sorted(created, reverse=True)


def test_experiments_and_tags_find_jobs(v, endpoints):
    a, b = endpoints
    assert (a.experiment, a.tags) == (EXPERIMENT, {"role": "endpoint", "seed": "1"})
    assert [j.id for j in v.jobs(experiment=EXPERIMENT)] == [b.id, a.id]
    assert [j.id for j in v.jobs(experiment=EXPERIMENT, tags={"seed": "2"})] == [b.id]
    assert [j.id for j in v.jobs(experiment=EXPERIMENT, status="SUCCEEDED", tags={"role": "endpoint"})] == [b.id, a.id]
    mine = [e for e in v.experiments() if e["name"] == EXPERIMENT]
    assert mine and mine[0]["jobs"] == 2 and mine[0]["byStatus"]["SUCCEEDED"] == 2
    with pytest.raises(valley.ApiError) as caught:
        v.train(dataset="spirals", model=MODEL, tags={"bad key": "x"})
    assert [f for f, _ in caught.value.errors] == ["tags"]


def test_pools_say_what_they_owe(v, endpoints):
    pools = v.pools()
    assert pools and all(set(p) == {"pool", "jobs", "tiles", "workers", "owed"} for p in pools)
    first = v.pools(pools[0]["pool"])
    assert first["pool"] == pools[0]["pool"] and first["owed"] >= 0
    with pytest.raises(valley.ApiError) as caught:
        v.pools("no-such-pool")
    assert caught.value.status == 404


def test_a_reuse_submission_returns_the_job_that_computed_the_same(v, endpoints):
    a, _ = endpoints
    before = [j.id for j in v.jobs(experiment=EXPERIMENT)]
    again = v.train(dataset="spirals", model=MODEL, epochs=8, seed=SEED, experiment=EXPERIMENT, reuse=True)
    assert (again.id, again.reused, again.status) == (a.id, True, "SUCCEEDED")
    assert [j.id for j in v.jobs(experiment=EXPERIMENT)] == before  # no new job
    fresh = v.train(dataset="spirals", model=MODEL, epochs=8, seed=SEED + 2, experiment="py-other", reuse=True)
    assert fresh.id != a.id and not fresh.reused
    fresh.cancel()
