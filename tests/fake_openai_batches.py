"""OpenAI's Batch API endpoints for :class:`tests.fake_openai.FakeOpenAI` (``server.batch_api``).

* ``POST /v1/files`` (multipart, purpose ``batch``) stores a JSONL file;
  ``GET /v1/files/{id}/content`` returns a stored file (inputs, outputs and error files).
* ``POST /v1/batches`` creates a batch from an uploaded file; ``GET /v1/batches/{id}`` reports it.
  A batch is ``validating``, then ``in_progress`` for ``polls_to_finish`` retrievals (``hold``
  keeps it there), then ``completed``: each line is answered by the server's responder into the
  output file, except the lines ``fail`` picks, which go to the error file with a 500.
  ``expire_after`` answers only that many lines and ends the batch as ``expired``.

Counters: :attr:`FakeBatchAPI.created` (batches), :attr:`FakeBatchAPI.uploads`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
import uuid
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from tests.fake_openai import FakeOpenAI


class FakeBatchAPI:
    def __init__(self, fake: "FakeOpenAI"):
        self.fake = fake
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.polls: dict[str, int] = {}
        self.created = 0
        self.uploads = 0
        self.polls_to_finish = 1
        self.hold = False
        self.fail: Callable[[int, str], bool] = lambda index, custom_id: False
        self.expire_after: int | None = None
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict | bytes]:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        with self._lock:
            if method == "POST" and parts == ["files"]:
                return self._upload(headers, body)
            if method == "GET" and len(parts) == 3 and parts[0] == "files" and parts[2] == "content":
                return (200, self.files[parts[1]]) if parts[1] in self.files else _not_found(parts[1])
            if method == "POST" and parts == ["batches"]:
                return self._create(json.loads(body))
            if method == "GET" and len(parts) == 2 and parts[0] == "batches":
                return self._retrieve(parts[1]) if parts[1] in self.batches else _not_found(parts[1])
        return 404, {"error": {"message": f"Unknown path {path}", "type": "invalid_request_error"}}

    def _upload(self, headers, body: bytes) -> tuple[int, dict]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"content-type: {headers['content-type']}\r\n\r\n".encode() + body)
        fields = {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                  for part in message.iter_parts()}
        if fields.get("purpose") != b"batch":
            return 400, {"error": {"message": "purpose must be batch", "type": "invalid_request_error"}}
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = fields["file"]
        self.uploads += 1
        return 200, _file_object(file_id, len(fields["file"]))

    def _create(self, request: dict) -> tuple[int, dict]:
        if request.get("input_file_id") not in self.files or request.get("endpoint") != "/v1/chat/completions":
            return 400, {"error": {"message": "unknown input_file_id or endpoint", "type": "invalid_request_error"}}
        lines = [line for line in self.files[request["input_file_id"]].decode().splitlines() if line.strip()]
        batch_id = f"batch_{uuid.uuid4().hex[:12]}"
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request["endpoint"], "errors": None,
            "input_file_id": request["input_file_id"], "completion_window": request.get("completion_window", "24h"),
            "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0}, "metadata": request.get("metadata"),
        }
        self.polls[batch_id] = 0
        self.created += 1
        return 200, self.batches[batch_id]

    def _retrieve(self, batch_id: str) -> tuple[int, dict]:
        batch = self.batches[batch_id]
        if batch["status"] in ("validating", "in_progress"):
            self.polls[batch_id] += 1
            batch["status"] = "in_progress"
            if not self.hold and self.polls[batch_id] > self.polls_to_finish:
                self._run(batch)
        return 200, batch

    def _run(self, batch: dict) -> None:
        lines = [json.loads(line) for line in self.files[batch["input_file_id"]].decode().splitlines() if line.strip()]
        answered, failed = [], []
        for index, line in enumerate(lines):
            if self.expire_after is not None and index >= self.expire_after:
                break
            if self.fail(index, line["custom_id"]):
                failed.append({"id": f"batch_req_{index}", "custom_id": line["custom_id"], "error": None,
                               "response": {"status_code": 500, "body": {"error": {"message": "server error"}}}})
                continue
            self.fake.record(line["body"])
            body = self.fake.completion_body(line["body"], self.fake.next_reply(line["body"]))
            answered.append({"id": f"batch_req_{index}", "custom_id": line["custom_id"], "error": None,
                             "response": {"status_code": 200, "request_id": f"req_{index}", "body": body}})
        batch["output_file_id"] = self._store(answered)
        batch["error_file_id"] = self._store(failed) if failed else None
        batch["request_counts"].update(completed=len(answered), failed=len(failed))
        batch["status"] = "expired" if self.expire_after is not None else "completed"

    def _store(self, items: list[dict]) -> str:
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = "".join(json.dumps(item) + "\n" for item in items).encode()
        return file_id


def _file_object(file_id: str, size: int) -> dict:
    return {"id": file_id, "object": "file", "bytes": size, "created_at": int(time.time()),
            "filename": "input.jsonl", "purpose": "batch", "status": "processed"}


def _not_found(name: str) -> tuple[int, dict]:
    return 404, {"error": {"message": f"No such object: {name}", "type": "invalid_request_error"}}
