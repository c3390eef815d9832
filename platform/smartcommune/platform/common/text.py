"""User text is stored as plain text: HTML is stripped, entities decoded, whitespace tidied."""

from __future__ import annotations

import html
import re
from typing import Annotated

from pydantic import AfterValidator

_TAG = re.compile(r"<[^>]*>")
_DANGEROUS_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\f\v]+")


def plain_text(value: str) -> str:
    """'<b>Đường</b> hỏng&nbsp;<script>x()</script>' → 'Đường hỏng'."""
    value = _DANGEROUS_BLOCK.sub("", value)
    value = html.unescape(_TAG.sub("", value)).replace("\xa0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


PlainText = Annotated[str, AfterValidator(plain_text)]
"""Use in request schemas for every free-text field: `title: PlainText = Field(max_length=200)`."""
