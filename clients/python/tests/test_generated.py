"""The job methods are the API's: regenerated from the live OpenAPI document, the module is the one committed."""
import inspect
from pathlib import Path

import generate


def test_the_committed_methods_are_what_the_live_document_generates(v):
    committed = (Path(generate.__file__).parent / "valley" / "_jobs_generated.py").read_text()
    assert generate.generate(v.openapi()) == committed, \
        "valley/_jobs_generated.py is stale: run python3 clients/python/generate.py http://<valley>/api/v1/openapi"


def test_each_method_takes_exactly_its_specs_fields(v):
    doc = v.openapi()
    mapping = doc["paths"]["/api/v1/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "discriminator"]["mapping"]
    assert set(mapping) == {"train", "curve", "swa", "fge", "grid", "align", "compare", "simplex", "hessian"}
    for job_type, ref in mapping.items():
        spec_ref = doc["components"]["schemas"][ref.split("/")[-1]]["properties"]["spec"]["$ref"]
        fields = list(doc["components"]["schemas"][spec_ref.split("/")[-1]]["properties"])
        params = list(inspect.signature(getattr(v, job_type)).parameters)
        resources = ["name", "experiment", "tags", "reuse", "pool", "max_attempts", "priority"]
        assert params == fields + resources, job_type
        assert all(inspect.signature(getattr(v, job_type)).parameters[p].default is None for p in params)
