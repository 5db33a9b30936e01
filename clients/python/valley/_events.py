"""Server-sent events (the WHATWG event-stream format), reconnecting after a dropped connection."""
import json
import time

import httpx

from ._errors import ApiError


def parse(lines):
    """Events from the lines of an event stream: dicts with ``event``, ``data`` and ``id`` (None where absent).
    Comment lines (``: keep-alive``) are skipped; an event ends at a blank line."""
    event, data, last_id = None, [], None
    for line in lines:
        line = line.rstrip("\r\n")  # httpx before 0.24 keeps each line's ending
        if line == "":
            if data:
                yield {"event": event or "message", "data": "\n".join(data), "id": last_id}
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value


def stream(http, path, event="job", reconnect=True, max_wait=5.0, deadline=None):
    """The data of each ``event`` on ``path``, parsed as JSON, until the server ends the stream.

    A dropped connection (a restart, a proxy timing out) is opened again, with ``Last-Event-ID`` naming the last
    event seen, as the SSE convention has it; a job's stream starts again from the job's state now, so nothing
    that mattered is missed. The wait between attempts doubles from 0.25 s up to ``max_wait``. Past ``deadline``
    (a time.monotonic() value) it raises TimeoutError; the server's keep-alive comments wake it to check.
    """
    last_id = None
    wait = 0.25
    while True:
        headers = {"Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = last_id
        try:
            with http.stream("GET", path, headers=headers, timeout=httpx.Timeout(10.0, read=60.0)) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ApiError.from_response(response)
                wait = 0.25
                for e in parse(_until(response.iter_lines(), deadline, path)):
                    if e["id"] is not None:
                        last_id = e["id"]
                    if e["event"] == event:
                        yield json.loads(e["data"])
            return  # the server ended the stream
        except (httpx.TransportError, httpx.RemoteProtocolError):
            if not reconnect:
                raise
            time.sleep(wait)
            wait = min(wait * 2, max_wait)


def _until(lines, deadline, path):
    for line in lines:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"{path}: no end before the deadline")
        yield line
