"""Bearer tokens: the fixed one, and the ones ``POST /oauth/access_token`` issues.

Issued tokens expire ``ttl`` seconds after issue, by the server's clock, so a
test steps the clock to see one expire. Tokens are compared, never logged.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

TokenState = Literal["valid", "expired", "unknown"]


@dataclass(frozen=True)
class IssuedToken:
    """A token handed out by the token endpoint and the moment it stops working."""

    value: str
    expires: datetime


class TokenStore:
    """The tokens the mock accepts: ``fixed`` always, issued ones until they expire."""

    def __init__(self, *, fixed: str, ttl: int, clock: Callable[[], datetime]) -> None:
        self.fixed = fixed
        self.ttl = ttl
        self.clock = clock
        self._issued: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self) -> IssuedToken:
        """A new random token, valid for ``ttl`` seconds from now."""
        token = IssuedToken(secrets.token_hex(20), self.clock() + timedelta(seconds=self.ttl))
        with self._lock:
            self._issued[token.value] = token.expires
        return token

    def state_of(self, token: str) -> TokenState:
        if secrets.compare_digest(token.encode(), self.fixed.encode()):
            return "valid"
        with self._lock:
            expires = self._issued.get(token)
        if expires is None:
            return "unknown"
        return "valid" if self.clock() < expires else "expired"
