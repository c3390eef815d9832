"""Shared by the provisioning tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from smartcommune.tenants.settings import get_settings

STRIPE_KEYS = ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")


@pytest.fixture
def no_stripe() -> Iterator[None]:
    """Stripe not configured for this test (the billing suite configures a fake Stripe for the session)."""
    saved = {k: os.environ.pop(k) for k in STRIPE_KEYS if k in os.environ}
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ.update(saved)
        get_settings.cache_clear()
