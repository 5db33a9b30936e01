"""What a real Valley cannot be made to do on demand, against a small fake server on loopback: drop an event stream
in the middle of a chunk, and serve an artifact whose bytes differ from its checksum. Everything else is tested on
the real one."""
import hashlib
import json
import socket
import threading

import pytest

import valley

JOB = "11111111-2222-3333-4444-555555555555"


def view(status, progress, artifacts=()):
    return {"id": JOB, "type": "train", "name": None, "status": status, "progress": progress, "attempt": 1,
            "pool": "default", "cancelRequested": False, "spec": {}, "result": None, "error": None,
            "createdAt": "2026-01-01T00:00:00Z", "startedAt": None, "finishedAt": None, "inputs": [],
            "artifacts": list(artifacts), "tiles": None, "worker": None, "maxAttempts": 3, "earlierAttempts": None}


class FakeValley:
    """Answers each request on a raw socket with the bytes a handler returns; records each request's head."""

    def __init__(self, handler):
        self.handler = handler
        self.requests = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(4096)
                lines = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                self.requests.append((lines[0], headers))
                conn.sendall(self.handler(lines[0], headers, len(self.requests)))

    def close(self):
        self.server.close()


def chunk(text):
    data = text.encode()
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def sse(event_id, v):
    return chunk(f"id: {event_id}\nevent: job\ndata: {json.dumps(v)}\n\n")


STREAM_HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n")


def test_a_dropped_event_stream_is_opened_again_with_last_event_id():
    def handler(line, headers, n):
        if n == 1:
            # The job is running; then the connection dies in the middle of the next chunk.
            return STREAM_HEAD + sse("job:RUNNING:0.5", view("RUNNING", 0.5)) + b"40\r\nid: half a ch"
        return STREAM_HEAD + chunk(": keep-alive\n\n") + sse("job:SUCCEEDED:1.0", view("SUCCEEDED", 1.0)) + chunk("")

    fake = FakeValley(handler)
    try:
        job = valley.Job(valley.Valley(fake.url), view("QUEUED", 0.0))
        seen = [(j.status, j.progress) for j in job.events()]
        assert seen == [("RUNNING", 0.5), ("SUCCEEDED", 1.0)]
        assert [r[0] for r in fake.requests] == [f"GET /api/v1/jobs/{JOB}/events HTTP/1.1"] * 2
        assert "last-event-id" not in fake.requests[0][1]
        assert fake.requests[1][1]["last-event-id"] == "job:RUNNING:0.5"
        assert job.wait(timeout=5).status == "SUCCEEDED"
    finally:
        fake.close()


def test_a_download_whose_bytes_differ_from_the_checksum_is_refused_and_removed(tmp_path):
    good = b"the artifact's bytes"
    listed = {"name": "model.safetensors", "contentType": "application/octet-stream", "size": len(good),
              "sha256": hashlib.sha256(good).hexdigest()}

    def handler(line, headers, n):
        body = b"the artifact's bytez"  # one byte flipped on the way
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    fake = FakeValley(handler)
    try:
        job = valley.Job(valley.Valley(fake.url), view("SUCCEEDED", 1.0, [listed]))
        with pytest.raises(ValueError, match="corrupt"):
            job.download("model.safetensors", tmp_path)
        assert list(tmp_path.iterdir()) == []
        with pytest.raises(ValueError, match="corrupt"):
            job.read("model.safetensors")
    finally:
        fake.close()


def test_problem_details_become_api_errors():
    def handler(line, headers, n):
        body = json.dumps({"type": "https://valley.dev/problems/validation", "title": "Invalid request",
                           "status": 400, "detail": "spec.lr must be greater than 0",
                           "errors": [{"field": "spec.lr", "message": "must be greater than 0"}]}).encode()
        return (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    fake = FakeValley(handler)
    try:
        with pytest.raises(valley.ApiError) as caught:
            valley.Valley(fake.url).train(dataset="spirals", model={"arch": "mlp"}, lr=0)
        assert (caught.value.status, caught.value.title) == (400, "Invalid request")
        assert caught.value.errors == [("spec.lr", "must be greater than 0")]
    finally:
        fake.close()


def test_a_429_over_quota_says_which_quota_and_when_to_try_again():
    def handler(line, headers, n):
        body = json.dumps({"title": "Over quota", "status": 429, "detail": "alice has 3 jobs queued or waiting",
                           "quota": "maxQueued", "limit": 3, "current": 3}).encode()
        return (b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\nRetry-After: 30\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    fake = FakeValley(handler)
    try:
        with pytest.raises(valley.ApiError) as caught:
            valley.Valley(fake.url).train(dataset="spirals", model={"arch": "mlp"})
        assert (caught.value.status, caught.value.retry_after) == (429, 30)
        assert (caught.value.problem["quota"], caught.value.problem["limit"]) == ("maxQueued", 3)
    finally:
        fake.close()


def test_an_upload_without_its_architecture_is_refused_before_sending():
    client = valley.Valley("http://127.0.0.1:9")  # nothing listens there: nothing may be sent
    with pytest.raises(ValueError, match="model= is required"):
        client.models.upload({"w": [1.0]}, dataset="spirals")
