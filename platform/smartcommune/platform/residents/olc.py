"""Open Location Code (plus codes) encoding, after the public specification.

Only encoding is needed here: a household's position becomes a short code such as `7QM3VHC6+F8W`.
Integer arithmetic as in the reference implementations, so codes do not depend on float rounding.
"""

from __future__ import annotations

ALPHABET = "23456789CFGHJMPQRVWX"
SEPARATOR_POSITION = 8
PAIR_CODE_LENGTH = 10
GRID_ROWS = 5
GRID_COLUMNS = 4
MAX_LENGTH = 15
_GRID_DIGITS = MAX_LENGTH - PAIR_CODE_LENGTH
# Precision of the finest digit, in units per degree.
_PAIR_PRECISION = 20**3  # 8000 units per degree after the 5 pairs (1/8000°)
_LAT_MULTIPLIER = _PAIR_PRECISION * GRID_ROWS**_GRID_DIGITS
_LNG_MULTIPLIER = _PAIR_PRECISION * GRID_COLUMNS**_GRID_DIGITS


def encode(latitude: float, longitude: float, code_length: int = 11) -> str:
    """`encode(20.3700625, 2.7821875, 10)` → `7FG49QCJ+2V`. Lengths 10–15 (10: ~14 m, 11: ~3 m)."""
    if not PAIR_CODE_LENGTH <= code_length <= MAX_LENGTH:
        raise ValueError("code_length must be between 10 and 15")
    lat = min(max(latitude, -90.0), 90.0)
    lng = longitude
    lat_val = round((lat + 90) * _LAT_MULTIPLIER)
    lng_val = round((lng + 180) * _LNG_MULTIPLIER)
    lat_val = min(max(lat_val, 0), 180 * _LAT_MULTIPLIER - 1)  # the north pole lies in the last cell
    lng_val %= 360 * _LNG_MULTIPLIER  # longitudes wrap around
    digits: list[str] = []
    # Grid digits (finest first), then pairs.
    for _ in range(_GRID_DIGITS):
        row = lat_val % GRID_ROWS
        col = lng_val % GRID_COLUMNS
        digits.append(ALPHABET[row * GRID_COLUMNS + col])
        lat_val //= GRID_ROWS
        lng_val //= GRID_COLUMNS
    for _ in range(PAIR_CODE_LENGTH // 2):
        digits.append(ALPHABET[lng_val % 20])
        digits.append(ALPHABET[lat_val % 20])
        lat_val //= 20
        lng_val //= 20
    full = "".join(reversed(digits))  # pairs most significant first, then the grid digits
    code = full[:SEPARATOR_POSITION] + "+" + full[SEPARATOR_POSITION:code_length]
    return code
