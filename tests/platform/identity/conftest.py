"""Fixtures of the identity tests: an app with the embedded issuer's router and a recording SMS channel."""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from smartcommune.platform.identity.router import router
from smartcommune.platform.identity.sms import get_sms_channel
from smartcommune.platform.identity.tokens import reset_validators
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import AppError


@dataclass
class RecordingSmsChannel:
    """Keeps the messages instead of sending them (the real channel is an SMS gateway)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, message: str) -> None:
        self.sent.append((phone, message))

    def last_code(self, phone: str) -> str:
        for to, message in reversed(self.sent):
            if to == phone:
                return next(w for w in message.replace(".", " ").split() if w.isdigit() and len(w) == 6)
        raise AssertionError(f"no SMS to {phone}")


def app_error_handler(_: Request, e: Exception) -> JSONResponse:
    assert isinstance(e, AppError)
    return JSONResponse(status_code=e.status, content={"error": e.to_dict()})


@pytest.fixture
def sms() -> RecordingSmsChannel:
    return RecordingSmsChannel()


@pytest.fixture
def client(communes: tuple[TenantInfo, TenantInfo], sms: RecordingSmsChannel) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.add_exception_handler(AppError, app_error_handler)
    app.dependency_overrides[get_sms_channel] = lambda: sms
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _fresh_validators() -> Iterator[None]:
    reset_validators()
    yield
    reset_validators()


_phones = itertools.count(random.SystemRandom().randrange(10**7))


def _make_phone() -> str:
    return f"+849{(next(_phones) + os.getpid()) % 10**8:08d}"


@pytest.fixture
def new_phone() -> Callable[[], str]:
    """Distinct mobile numbers per test: the test database lives for the session, rate limits too."""
    return _make_phone
