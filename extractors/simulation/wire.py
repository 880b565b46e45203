"""What every simulated API shares: the request and response shapes the router passes around,
JSON bodies and opaque page tokens bound to the query that issued them."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

JSON_TYPE = "application/json;charset=UTF-8"


class BadRequest(ValueError):
    """The client sent something the API rejects with HTTP 400."""


@dataclass(frozen=True)
class SimRequest:
    """One request to one source. ``path`` is below the source's mount (``/rest/api/3/myself``)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        try:
            return orjson.loads(self.body or b"null")
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"The request body is not valid JSON: {exc}") from exc


@dataclass(frozen=True)
class SimResponse:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def json_response(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> SimResponse:
    return SimResponse(status, orjson.dumps(payload), (("content-type", JSON_TYPE), *headers))


def _binding(parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def encode_token(bound_to: Any, position: int) -> str:
    """An opaque token for the page starting at ``position`` of the query ``bound_to`` describes."""
    raw = orjson.dumps({"b": _binding(bound_to), "p": position})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, bound_to: Any) -> int:
    """The position a token points at; BadRequest when it is malformed or issued for another query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        content = orjson.loads(raw)
        binding, position = content["b"], int(content["p"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise BadRequest("The provided next page token is invalid.") from exc
    if binding != _binding(bound_to) or position < 0:
        raise BadRequest("The provided next page token does not match the request.")
    return position
