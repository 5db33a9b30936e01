#!/usr/bin/env python3
"""Writes valley/_jobs_generated.py, one method per job type, from Valley's OpenAPI document.

    python3 clients/python/generate.py [web-client/openapi.json | http://host:8080/api/v1/openapi]

Each method's keyword arguments are its spec's fields, named as the API names them, in the document's order; its
docstring gives each field's description, range and default. A field left as None is left out of the submission,
so the API fills in its default. tests/test_generated.py regenerates the module from the live document and
compares, so the client cannot drift from the API.
"""
import json
import keyword
import sys
import textwrap
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# What every method takes beside the spec's fields: the submission's own fields.
SUBMISSION = ["name", "experiment", "tags", "reuse", "pool", "max_attempts", "priority"]
TARGET = HERE / "valley" / "_jobs_generated.py"
DEFAULT_SOURCE = HERE.parent.parent / "web-client" / "openapi.json"


def load(source):
    if str(source).startswith(("http://", "https://")):
        with urllib.request.urlopen(str(source)) as answer:
            return json.load(answer)
    return json.loads(Path(source).read_text())


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            real = [s for s in schema[key] if s.get("type") != "null"]
            if len(real) == 1:
                return resolve(doc, real[0])
    return schema


def kind(doc, schema):
    s = resolve(doc, schema)
    types = s.get("type", "object")
    types = [types] if isinstance(types, str) else types
    t = next((t for t in types if t != "null"), "object")
    if t == "array":
        return "list of " + kind(doc, s.get("items", {})) + "s"
    name = schema.get("$ref", "").split("/")[-1] or next(
        (a["$ref"].split("/")[-1] for a in schema.get("anyOf", []) if "$ref" in a), "")
    return name or {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}.get(t, t)


def explain(doc, field, schema):
    s = resolve(doc, schema)
    parts = [schema.get("description") or s.get("description") or ""]
    low = f">= {s['minimum']}" if "minimum" in s else f"> {s['exclusiveMinimum']}" if "exclusiveMinimum" in s else ""
    high = f"<= {s['maximum']}" if "maximum" in s else f"< {s['exclusiveMaximum']}" if "exclusiveMaximum" in s else ""
    if low or high:
        parts.append(", ".join(p for p in (low, high) if p))
    if "pattern" in s and all(w.replace("_", "").replace("-", "").isalpha() for w in s["pattern"].split("|")):
        parts.append("one of " + ", ".join(s["pattern"].split("|")))
    if schema.get("default") is not None:
        parts.append("default " + json.dumps(schema["default"]))
    text = "; ".join(p for p in parts if p)
    return f"{field} ({kind(doc, schema)}): {text}."


def method(doc, job_type, spec_name):
    spec = doc["components"]["schemas"][spec_name]
    fields = list(spec["properties"])
    for f in fields:
        assert f.isidentifier() and not keyword.iskeyword(f), f"{spec_name}.{f} is not a Python name"
        assert f not in SUBMISSION, f"{spec_name}.{f} would shadow a submission's own argument"
    params = textwrap.fill(", ".join(f"{f}=None" for f in fields + SUBMISSION), 104,
                           initial_indent=" " * 12, subsequent_indent=" " * 12).strip()
    summary = (spec.get("description") or f"a {job_type} job").strip()
    args = "\n".join(textwrap.fill(explain(doc, f, spec["properties"][f]), 104, initial_indent=" " * 12,
                                   subsequent_indent=" " * 16) for f in fields)
    call = textwrap.fill(", ".join(f"{f!r}: {f}" for f in fields), 100, initial_indent=" " * 12,
                         subsequent_indent=" " * 12).strip()
    return f'''
    def {job_type}(
            self, *, {params}):
        """Submits a {job_type} job and returns it as a Job (not waiting for it to run).

        Args:
{args}
            name (str): a label for the job, up to 200 characters.
            experiment (str): files the job under this name (up to 100 characters).
            tags (dict): labels, str -> str (up to 20; keys of A-Z a-z 0-9 _ . - /).
            reuse (bool): answer with a job that already computed the same (its type, spec and input
                SHA-256s) instead of running again; the job then says reused.
            pool (str): the worker pool to run on (default "default").
            max_attempts (int): attempts the job may lose to a worker or the platform before it fails.
            priority (int): 0 to 9 (default 4); within a pool, higher-priority jobs are handed out first.

        A Job, or (Job, "artifact"), stands for a ref {{"job": id}} anywhere in the spec. None leaves a field out:
        the API fills in its default.
        """
        spec = {{
            {call}}}
        return self._submit({job_type!r}, spec, name=name, experiment=experiment, tags=tags, reuse=reuse,
                            pool=pool, max_attempts=max_attempts, priority=priority)
'''.replace("\n\n\n", "\n\n")


def generate(doc):
    body = doc["paths"]["/api/v1/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    mapping = body["discriminator"]["mapping"]
    out = ['"""One method per job type, generated from the API\'s OpenAPI document by clients/python/generate.py.',
           "",
           "Do not edit: run the generator (tests/test_generated.py checks that this file is what it writes).",
           '"""',
           "",
           "",
           "class JobMethods:",
           '    """Submission methods; a subclass provides _submit(type, spec, name=, pool=, max_attempts=, priority=)."""']
    for job_type, ref in mapping.items():
        job_schema = doc["components"]["schemas"][ref.split("/")[-1]]
        spec_name = job_schema["properties"]["spec"]["$ref"].split("/")[-1]
        out.append(method(doc, job_type, spec_name).rstrip())
    out.append("")
    out.append(f"JOB_TYPES = {tuple(mapping)!r}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE
    TARGET.write_text(generate(load(source)))
    print(f"wrote {TARGET} from {source}")
