"""schemathesis' requests, sent by the suite's own client.

schemathesis sends with ``requests``; left alone, its requests (the generated
cases, the stateful chain, the ``ignored_auth`` probes it sends without or
with a wrong token) would escape the client's bounds. Here every one of them
goes through :class:`~contracts.client.ApiClient`, so they all share:

* the request budget, the rate limit and the request log (the summary's count
  is the true one);
* the total deadline per request and the body cap;
* the redirect rule: a 3xx is :class:`~contracts.client.Redirected`, never
  followed (so credentials never go to another host);
* the token, taken from the token source at the moment each request is sent
  (a client-credentials token that expires mid-run is renewed): schemathesis
  only ever sees :data:`AUTH_PLACEHOLDER`, never the token itself.

The pieces, outermost first: :class:`ContractSchema` (an OpenAPI schema whose
``transport`` is a :class:`ClientTransport`, kept by every clone schemathesis
makes of it) -> :class:`ClientTransport` (schemathesis' requests transport,
always with a :class:`ClientSession`, even for the probes that drop the session
they were given) -> :class:`ClientSession` (a ``requests.Session`` that never
follows a redirect) -> :class:`ClientAdapter` (hands each prepared request to
the client).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from schemathesis.specs.openapi.schemas import OpenApiSchema
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

if TYPE_CHECKING:
    from schemathesis.core.transport import Response
    from schemathesis.generation.case import Case

    from contracts.client import ApiClient

AUTH_PLACEHOLDER = "Bearer $PCM_CONTRACTS_TOKEN"
"""The ``Authorization`` value schemathesis is given: the adapter sends the
token source's current token in its place. Any other value (schemathesis'
invalid-token probe) is sent as it is; no header (its no-token probe), none."""


class ClientAdapter(BaseAdapter):
    """A ``requests`` adapter that sends through an :class:`ApiClient`."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__()
        self.client = client

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        headers = {name: text(value) for name, value in request.headers.items() if name.lower() != "authorization"}
        given = request.headers.get("Authorization")
        auth = given == AUTH_PLACEHOLDER
        if given is not None and not auth:
            headers["Authorization"] = text(given)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        if body is not None and not isinstance(body, bytes):  # a file or a generator: never generated here
            body = b"".join(part if isinstance(part, bytes) else part.encode() for part in body)  # type: ignore[union-attr]
        answer = self.client.fetch(str(request.method), str(request.url), auth=auth, headers=headers, content=body)
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response.raw = HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=HTTPHeaderDict(answer.headers),
            status=answer.status,
            version=11,
            preload_content=False,
        )
        response.reason = HTTPStatus(answer.status).phrase if answer.status in HTTPStatus._value2member_map_ else ""
        response.url = str(request.url)
        response.request = request
        response.connection = self  # type: ignore[assignment]
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = answer.content
        return response

    def close(self) -> None:
        """The client is closed with the session's target, not here."""


def text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class ClientSession(requests.Session):
    """A session whose every request goes through the client; no redirect is followed."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__()
        self.trust_env = False  # no ~/.netrc credentials, no proxies: the client decides
        adapter = ClientAdapter(client)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None  # never followed (the client already refuses a 3xx)


class ClientTransport(RequestsTransport):
    """schemathesis' requests transport, always on a :class:`ClientSession`.

    schemathesis drops the session it was given for its auth probes
    (``send_probe``): this transport puts its own back, on every request."""

    def __init__(self, session: ClientSession) -> None:
        super().__init__()
        self._copy_serializers_from(REQUESTS_TRANSPORT)
        self.session = session

    def send(self, case: Case, *, session: requests.Session | None = None, **kwargs: Any) -> Response:  # type: ignore[type-arg]
        return super().send(case, session=self.session, **kwargs)


@dataclass(eq=False, repr=False)
class ContractSchema(OpenApiSchema):
    """The contract as schemathesis sees it, sending through the client."""

    relay: ClientTransport | None = None

    @property
    def transport(self) -> Any:
        return self.relay if self.relay is not None else super().transport

    def clone(self, **kwargs: Any) -> Any:
        cloned = super().clone(**kwargs)
        cloned.relay = self.relay
        return cloned


def through_client(schema: OpenApiSchema, client: ApiClient) -> ContractSchema:
    """``schema`` (as schemathesis loaded it) sending every request through ``client``."""
    return ContractSchema(
        raw_schema=schema.raw_schema,
        config=schema.config,
        location=schema.location,
        filter_set=schema.filter_set,
        relay=ClientTransport(ClientSession(client)),
    )


__all__ = ["AUTH_PLACEHOLDER", "ContractSchema", "through_client"]
