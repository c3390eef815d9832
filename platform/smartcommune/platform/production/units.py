"""How quantities read on a page: UN/ECE Rec 20 codes as the units people write ("KGM" → "kg"), a decimal
comma in Vietnamese ("0.500" → "0,5"), and the own name of an input's kind (a pesticide is "Thuốc BVTV")."""

from __future__ import annotations

from decimal import Decimal

# code → (Vietnamese, English)
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "KGM": ("kg", "kg"),
    "TNE": ("tấn", "t"),
    "GRM": ("g", "g"),
    "LTR": ("l", "l"),
    "MLT": ("ml", "ml"),
    "H87": ("cái", "pcs"),
    "BX": ("hộp", "boxes"),
    "PK": ("gói", "packs"),
}

INPUT_KIND_NAMES: dict[str, tuple[str, str]] = {
    "fertiliser": ("Bón phân", "Fertiliser"),
    "pesticide": ("Thuốc BVTV", "Pesticide"),
    "feed": ("Thức ăn chăn nuôi", "Feed"),
    "veterinary": ("Thuốc thú y", "Veterinary medicine"),
    "other": ("Vật tư đầu vào", "Other input"),
}

LOG_NAMES: dict[str, tuple[str, str]] = {
    "seeding": ("Gieo trồng / thả giống", "Seeding / stocking"),
    "input": ("Bón phân / phun thuốc / cho ăn", "Input"),
    "observation": ("Quan sát", "Observation"),
    "harvest": ("Thu hoạch", "Harvest"),
    "processing": ("Sơ chế / chế biến", "Processing"),
    "packing": ("Đóng gói", "Packing"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def unit_name(unit: str | None, lang: str = "vi") -> str:
    if not unit:
        return ""
    pair = UNIT_NAMES.get(unit.upper())
    return _pick(pair, lang) if pair else unit


def number(value: Decimal | float | str, lang: str = "vi") -> str:
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",") if lang != "en" else text


def quantity(value: Decimal | float | str | None, unit: str | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    return f"{number(value, lang)} {unit_name(unit, lang)}".strip()


def step_name(log_type: str, input_kind: str | None, lang: str = "vi") -> str:
    if log_type == "input" and input_kind in INPUT_KIND_NAMES:
        return _pick(INPUT_KIND_NAMES[input_kind], lang)
    return _pick(LOG_NAMES[log_type], lang) if log_type in LOG_NAMES else log_type
