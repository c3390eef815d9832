"""Motion pipeline throughput: frames per second per core at 640×360 and 320×240 on synthetic video with
motion (a moving block over noise), frame differencing and MOG2, one thread (= one core).

Target (issue 5): ≥ 1,500 fps at 640×360 and ≥ 5,000 fps at 320×240 with differencing, i.e. under 0.5 % of
a core per 5 fps camera. The detector downsizes to its analysis size (320×180 by default) first, so the
cost is dominated by the resize at larger inputs. Prints figures; the LAST line is one JSON object.

    .venv/bin/python bench/motion.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import cv2
import numpy as np
from _common import finish

from smartcommune.platform.cameras.motion import MotionDetector

FRAMES = int(os.environ.get("BENCH_FRAMES", "3000"))


def video(width: int, height: int, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    base = rng.integers(40, 80, (height, width, 3), dtype=np.uint8)
    out = []
    for i in range(n):
        frame = base.copy()
        x = (i * 7) % (width - width // 8)
        cv2.rectangle(frame, (x, height // 3), (x + width // 8, height // 3 + height // 6), (230, 230, 230), -1)
        out.append(frame)
    return out


def fps(width: int, height: int, method: str, n: int) -> tuple[float, float]:
    cv2.setNumThreads(1)
    frames = video(width, height, 64)
    detector = MotionDetector(
        method=method, min_area=0.002, zones=[[[0, 0], [1, 0], [1, 1], [0, 1]]], masks=[[[0, 0], [0.2, 0], [0.2, 0.2]]]
    )
    moved = 0
    t0 = time.perf_counter()
    for i in range(n):
        if detector.is_motion(detector.feed(frames[i % 64])):
            moved += 1
    elapsed = time.perf_counter() - t0
    return n / elapsed, moved / n


def main() -> None:
    figures: dict[str, object] = {"frames": FRAMES, "analysis_size": "halved to <= 320 wide", "threads": 1}
    for width, height in ((640, 360), (320, 240)):
        for method in ("diff", "mog2"):
            rate, motion_share = fps(width, height, method, FRAMES if method == "diff" else FRAMES // 3)
            key = f"{method}_{width}x{height}"
            figures[f"{key}_fps_per_core"] = round(rate)
            figures[f"{key}_core_pct_per_5fps_camera"] = round(5 / rate * 100, 3)
            print(f"{key:>16}: {rate:8.0f} frames/s per core, motion in {motion_share:.0%} of frames")
    figures["target_met_640x360_fps_ge_1500"] = figures["diff_640x360_fps_per_core"] >= 1500  # type: ignore[operator]
    figures["target_met_320x240_fps_ge_5000"] = figures["diff_320x240_fps_per_core"] >= 5000  # type: ignore[operator]
    finish("motion", figures)


if __name__ == "__main__":
    main()
