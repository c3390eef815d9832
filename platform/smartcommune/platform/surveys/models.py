from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

QUESTION_KINDS = ("short_text", "long_text", "single_choice", "multiple_choice", "rating", "number", "date", "matrix")


class Survey(TenantBase):
    __tablename__ = "surveys"

    id: Mapped[int] = commune_id()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Key for the anonymous respondent token; never leaves the server.
    anon_salt: Mapped[str] = mapped_column(String(64))
    whole_commune: Mapped[bool] = mapped_column(Boolean, default=True)
    target_village_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default=text("'{}'::bigint[]"))
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default=text("'{}'::varchar[]"))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SurveyQuestion(TenantBase):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = commune_id()
    survey_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # choices / scale / matrix rows and columns, per kind
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class SurveyResponse(TenantBase):
    """One per resident and survey: `respondent` is the account subject, or a keyed hash of it when the
    survey is anonymous. The unique constraint is what enforces "one response per resident"."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent"),)

    id: Mapped[int] = commune_id()
    survey_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("surveys.id", ondelete="CASCADE"))
    respondent: Mapped[str] = mapped_column(String(64))
    resident_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("residents.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SurveyAnswer(TenantBase):
    __tablename__ = "survey_answers"

    response_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[Any] = mapped_column(JSONB)
