"""PyJWKClient variants: a rate-limited refetch on unknown key ids, discovery, and a local key source.

Every validator goes through `PyJWKClient.get_jwk_set` and its cache; only where the JWKS comes from
differs (HTTP for Keycloak or any OIDC issuer, the signing_keys table for the embedded issuer).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from jwt import PyJWK, PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError
from sqlalchemy import Engine

from smartcommune.platform.identity.keys import published_jwks
from smartcommune.tenants.database import app_engine

DEFAULT_LIFESPAN_S = 300.0
DEFAULT_MIN_REFETCH_INTERVAL_S = 30.0


class CachingJWKClient(PyJWKClient):
    """Keys are cached for `lifespan_s`; an unknown kid forces at most one refetch per interval.

    The interval bounds what a stream of tokens with made-up key ids can cost the issuer.
    """

    def __init__(
        self,
        uri: str,
        *,
        lifespan_s: float = DEFAULT_LIFESPAN_S,
        min_refetch_interval_s: float = DEFAULT_MIN_REFETCH_INTERVAL_S,
        timeout_s: float = 5.0,
    ) -> None:
        super().__init__(uri, cache_jwk_set=True, lifespan=lifespan_s, timeout=timeout_s)
        self.min_refetch_interval_s = min_refetch_interval_s
        self._last_forced_refetch: float | None = None
        self._refetch_lock = threading.Lock()

    def _may_force_refetch(self) -> bool:
        now = time.monotonic()
        last = self._last_forced_refetch
        if last is not None and now - last < self.min_refetch_interval_s:
            return False
        self._last_forced_refetch = now
        return True

    def get_signing_key(self, kid: str) -> PyJWK:
        with self._refetch_lock:
            key = self.match_kid(self.get_signing_keys(), kid)
            if key is None and self._may_force_refetch():
                key = self.match_kid(self.get_signing_keys(refresh=True), kid)
            if key is None:
                raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
            return key


class DiscoveringJWKClient(CachingJWKClient):
    """For an issuer given without a JWKS URI: read `jwks_uri` from its discovery document once."""

    def __init__(self, issuer: str, **kwargs: Any) -> None:
        self.issuer = issuer.rstrip("/")
        super().__init__(f"{self.issuer}/.well-known/openid-configuration", **kwargs)
        self._discovered = False

    def fetch_data(self) -> Any:
        if not self._discovered:
            self.uri = discover_jwks_uri(self.issuer, timeout_s=self.timeout)
            self._discovered = True
        return super().fetch_data()


def discover_jwks_uri(issuer: str, *, timeout_s: float = 5.0) -> str:
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as e:
        raise PyJWKClientConnectionError(f"OIDC discovery failed for {issuer}: {e}") from e
    jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("http://", "https://")):
        raise PyJWKClientConnectionError(f"OIDC discovery for {issuer} has no usable jwks_uri")
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise PyJWKClientConnectionError(f"OIDC discovery for {issuer} names another issuer")
    return jwks_uri


class LocalJWKClient(CachingJWKClient):
    """The embedded issuer's JWKS, read from the database instead of an HTTP call to ourselves."""

    def __init__(self, uri: str, engine_factory: Callable[[], Engine] = app_engine, **kwargs: Any) -> None:
        super().__init__(uri, **kwargs)
        self._engine_factory = engine_factory

    def fetch_data(self) -> Any:
        jwk_set = published_jwks(self._engine_factory())
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(jwk_set)
        return jwk_set
