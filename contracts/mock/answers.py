"""What the mock answers: a status, a body and headers, before it meets a socket.

An :class:`Answer` is a value: the endpoint builds one, a drift mode may
rewrite it, and the server encodes it. Keeping the answer apart from the
socket is what lets the fault modes (which break the socket itself) and the
drift modes (which break the body) combine freely.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer.

    ``body`` is a JSON value, or ``bytes`` sent exactly as given (the
    ``non-json`` fault). ``headers`` are extra headers; ``Content-Type`` and
    ``Content-Length`` are always added by the server.
    """

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = JSON

    def payload(self) -> bytes:
        """The body as the bytes sent on the wire."""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def error(status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: str) -> Answer:
    """The documented error body, ``{"errors": [{status, title, detail}]}``.

    ``status`` is the HTTP code as a string and ``title`` the standard reason
    phrase ("Failed Validation" for 422, as the documented example says).
    """
    title = "Failed Validation" if status == 422 else HTTPStatus(status).phrase
    item = {"status": str(status), "title": title, "detail": detail, **extra}
    return Answer(status, {"errors": [item]}, dict(headers or {}))
