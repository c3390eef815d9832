from __future__ import annotations

from collections.abc import Iterator

import pytest
from testsupport.commune_world import World, commune_world

from smartcommune.tenants.context import TenantInfo


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w
