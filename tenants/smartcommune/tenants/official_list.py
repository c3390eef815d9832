"""The official 2025 list of communes and provinces (3,321 commune-level units), from `vietnam-provinces`."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import vietnam_provinces as vp


@dataclass(frozen=True)
class OfficialCommune:
    code: int
    name: str
    division_type: str
    codename: str
    province_code: int
    province_name: str
    province_codename: str


@lru_cache
def _index() -> dict[int, OfficialCommune]:
    provinces = {int(p.code): p for p in vp.Province.iter_all()}
    rows = json.loads(vp.FLAT_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    wards = {int(w.code): w for w in vp.Ward.iter_all()}
    out: dict[int, OfficialCommune] = {}
    for row in rows:
        ward = wards[int(row["code"])]
        province = provinces[int(ward.province_code)]
        out[int(ward.code)] = OfficialCommune(
            code=int(ward.code),
            name=ward.name,
            division_type=ward.division_type.value,
            codename=ward.codename,
            province_code=int(province.code),
            province_name=province.name,
            province_codename=province.codename,
        )
    return out


def lookup_commune(code: int) -> OfficialCommune | None:
    return _index().get(code)


def all_communes() -> list[OfficialCommune]:
    return list(_index().values())


def province_codes() -> set[int]:
    return {c.province_code for c in _index().values()}


def fold(text: str) -> str:
    """Lower-case ASCII folding for search: 'Xã Cam Lộ' → 'xa cam lo'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
