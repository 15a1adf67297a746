"""Who is asking, from where: set per request by the middleware, read by ``record_event``."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "smartfactory_request_context", default=RequestContext()  # noqa: B039  (frozen dataclass: immutable)
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
