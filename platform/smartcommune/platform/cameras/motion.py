"""Motion on frames at reduced size: frame differencing first, MOG2 background subtraction where it pays.

`MotionDetector.feed(frame)` returns the fraction of the watched area that moved (0..1). Zones (polygons
to watch) and masks (polygons to ignore) are in normalised coordinates (0..1) so they survive a
resolution change. Sensitivity (1..100) sets the pixel-difference threshold; `min_area` (fraction of the
watched area) decides whether a frame counts as motion. `SustainedMotion` turns frames into events: motion
for `min_duration_s` opens an event, `cooldown_s` without motion closes it.

Differencing costs one absdiff + threshold on a small grey frame. MOG2 (`method="mog2"`) adapts to swaying
trees and lighting changes at ~5-10x the cost: use it for outdoor cameras where differencing is noisy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Polygon = Sequence[Sequence[float]]


def build_mask(width: int, height: int, zones: Sequence[Polygon], masks: Sequence[Polygon]) -> np.ndarray | None:
    """255 where motion counts. None means the whole frame (no zones, no masks)."""
    if not zones and not masks:
        return None
    area = np.zeros((height, width), np.uint8) if zones else np.full((height, width), 255, np.uint8)
    scale = np.array([width, height], np.float32)

    def pts(poly: Polygon) -> np.ndarray:
        return (np.asarray(poly, np.float32) * scale).astype(np.int32).reshape(-1, 1, 2)

    for zone in zones:
        cv2.fillPoly(area, [pts(zone)], 255)
    for mask in masks:
        cv2.fillPoly(area, [pts(mask)], 0)
    return area


class MotionDetector:
    def __init__(
        self,
        *,
        max_width: int = 320,
        sensitivity: int = 50,
        min_area: float = 0.01,
        zones: Sequence[Polygon] = (),
        masks: Sequence[Polygon] = (),
        method: str = "diff",
    ) -> None:
        self.max_width = max_width
        # sensitivity 1 → threshold 60 (only big changes), 100 → threshold 6
        self.threshold = round(60 - (max(1, min(100, sensitivity)) - 1) * 54 / 99)
        self.min_area = min_area
        self.zones, self.masks = list(zones), list(masks)
        self.size: tuple[int, int] | None = None
        self.mask: np.ndarray | None = None
        self.watched = 0.0
        self.method = method
        self._prev: np.ndarray | None = None
        self._mog = cv2.createBackgroundSubtractorMOG2(
            history=200, varThreshold=16 + self.threshold, detectShadows=False
        )
        self._kernel = np.ones((3, 3), np.uint8)

    def _analysis_size(self, width: int, height: int) -> tuple[int, int]:
        """Halve until at most `max_width` wide: exact 2x steps keep the resize on its fast path."""
        w, h = width, height
        while w > self.max_width:
            w, h = w // 2, h // 2
        return max(1, w), max(1, h)

    def _setup(self, frame: np.ndarray) -> None:
        self.size = self._analysis_size(frame.shape[1], frame.shape[0])
        self.mask = build_mask(self.size[0], self.size[1], self.zones, self.masks)
        self.watched = (
            float(np.count_nonzero(self.mask)) if self.mask is not None else float(self.size[0] * self.size[1])
        )

    def prepare(self, frame: np.ndarray) -> np.ndarray:
        if self.size is None:
            self._setup(frame)
        assert self.size is not None
        if frame.shape[1] != self.size[0] or frame.shape[0] != self.size[1]:
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        return cv2.blur(grey, (3, 3))

    def feed(self, frame: np.ndarray) -> float:
        grey = self.prepare(frame)
        if self.method == "mog2":
            moving = self._mog.apply(grey)
        else:
            if self._prev is None:
                self._prev = grey
                return 0.0
            diff = cv2.absdiff(grey, self._prev)
            self._prev = grey
            _, moving = cv2.threshold(diff, self.threshold, 255, cv2.THRESH_BINARY)
        moving = cv2.erode(moving, self._kernel)
        if self.mask is not None:
            moving = cv2.bitwise_and(moving, self.mask)
        return float(cv2.countNonZero(moving)) / self.watched if self.watched else 0.0

    def is_motion(self, fraction: float) -> bool:
        return fraction >= self.min_area


@dataclass
class MotionEvent:
    started_at: float
    ended_at: float | None
    peak_area: float
    frame: np.ndarray | None


class SustainedMotion:
    """Motion frames → events. `update(t, fraction, motion, frame)` returns ('start'|'end'|None, event)."""

    def __init__(self, *, min_duration_s: float = 1.0, cooldown_s: float = 5.0) -> None:
        self.min_duration_s = min_duration_s
        self.cooldown_s = cooldown_s
        self._since: float | None = None
        self._last_motion: float | None = None
        self.current: MotionEvent | None = None

    def update(
        self, t: float, fraction: float, motion: bool, frame: np.ndarray | None
    ) -> tuple[str | None, MotionEvent | None]:
        if motion:
            self._last_motion = t
            if self._since is None:
                self._since = t
            if self.current is None and t - self._since >= self.min_duration_s:
                self.current = MotionEvent(self._since, None, fraction, frame.copy() if frame is not None else None)
                return "start", self.current
            if self.current is not None and fraction > self.current.peak_area:
                self.current.peak_area = fraction
                if frame is not None:
                    self.current.frame = frame.copy()
            return None, self.current
        if self.current is None:
            if self._last_motion is None or t - self._last_motion > 0.5:
                self._since = None
            return None, None
        if self._last_motion is not None and t - self._last_motion >= self.cooldown_s:
            event, self.current = self.current, None
            event.ended_at = self._last_motion
            self._since = None
            return "end", event
        return None, self.current
