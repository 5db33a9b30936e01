"""The tests talk to a real Valley at $VALLEY_URL: standalone's PythonClientTest starts one on the suite's servers
and runs them; by hand, start one with ./valley up and run

    VALLEY_URL=http://127.0.0.1:8080 python3 -m pytest clients/python/tests
"""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import valley  # noqa: E402


@pytest.fixture(scope="session")
def v():
    url = os.environ.get("VALLEY_URL")
    if not url:
        pytest.fail("set VALLEY_URL to a running Valley (./valley up), or run standalone's PythonClientTest")
    with valley.Valley(url) as client:
        yield client
