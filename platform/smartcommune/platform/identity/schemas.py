"""Request and response bodies of the embedded issuer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class OtpRequest(BaseModel):
    commune_code: int = Field(ge=1, le=2**31 - 1, description="Mã xã (GSO) / official commune code", examples=[19597])
    phone: str = Field(min_length=1, max_length=32, examples=["0912 345 678"])


class OtpRequested(BaseModel):
    phone: str = Field(description="Số đã chuẩn hóa E.164 / the normalised E.164 number")
    expires_in: int


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int
    scope: str


class Jwks(BaseModel):
    keys: list[dict[str, Any]]
