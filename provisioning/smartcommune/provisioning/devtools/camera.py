"""`python -m smartcommune.provisioning.devtools.camera --port N`: the demo's simulated camera, an MJPEG stream
at `http://127.0.0.1:N/stream.mjpg` (and `/snapshot.jpg`) of a street scene with a moving square and the
time, until SIGTERM/SIGINT. Development only: the platform reaches it through `DEV_CAMERA_URLS`."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from datetime import datetime

import cv2
import numpy as np

from smartcommune.provisioning.devtools.streams import MjpegServer, make_frame


def scene(label: str, width: int, height: int) -> object:
    def frame(i: int) -> np.ndarray:
        image = make_frame(i, width, height)
        cv2.putText(image, label, (16, 32), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
        stamp = datetime.now().strftime("%d/%m/%Y %H:%M:%S")
        cv2.putText(image, stamp, (16, height - 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (220, 220, 220), 1, cv2.LINE_AA)
        return image

    return frame


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--label", default="CAM 01 - Nga tu trung tam xa")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = MjpegServer(
        fps=args.fps,
        width=args.width,
        height=args.height,
        port=args.port,
        frames=scene(args.label, args.width, args.height),  # type: ignore[arg-type]
    )
    with server:
        print(f"simulated camera: {server.url}", flush=True)
        while not stop.is_set():
            time.sleep(0.2)


if __name__ == "__main__":
    main()
