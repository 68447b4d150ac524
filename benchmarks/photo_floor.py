"""The photo stage against its floor: the encoders' own cost on the same pixels.

For each synthetic 800x600 source (benchmarks/synthetic.py, never in catalog/), the job the build
runs for a photo (generator/render/photos.py `_make`: read, hash, decode, the cascade of sizes,
WebP and JPEG of each, one share card) is timed in this one process, in CPU time. Its floor is
libwebp and libjpeg-turbo (through Pillow, with the build's own settings) encoding the very
images the job encodes: those images are made beforehand and not timed. The ratio is what the
build spends around the encoders (decoding, resizing, drawing the card, hashing, writing).

    python benchmarks/photo_floor.py [--photos 200]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import synthetic

from generator.render import photos

CARD_TITLE = "Sản phẩm tổng hợp để đo (synthetic)"


def _cpu(func: Callable[[], object]) -> float:
    start = time.process_time()
    func()
    return time.process_time() - start


def _encoded_images(job: photos._Job) -> tuple[list[Image.Image], Image.Image]:
    """The images `_make` encodes for this job, made the way it makes them."""
    with Image.open(job.source) as source:
        base = photos._base(source, job.sizes[-1])
    sizes, current = [], base
    for width, height in reversed(job.sizes):
        if current.size != (width, height):
            first = (width, height) == job.sizes[-1]
            current = photos._downscale(current, (width, height), first=first)
        sizes.append(current)
    return sizes, photos.draw_card(base, CARD_TITLE, 4)


def measure(count: int, work: Path) -> dict[str, float]:
    sources = synthetic.base_photos(work / "bases", count)
    jobs = []
    for number, data in enumerate(sources):
        path = work / f"photo-{number:04d}.jpg"
        path.write_bytes(data)
        with Image.open(path) as image:
            sizes = photos.target_sizes(image.width, image.height)
        key = f"floor{number:04d}"
        names = frozenset(n for width, _ in sizes for n in photos._file_names(key, width))
        card = photos._Card(f"{key}-share.jpg", CARD_TITLE, 4)
        sha = hashlib.sha256(data).hexdigest()
        jobs.append(photos._Job(str(path), sha, key, sizes, names, (card,), str(work / "cache")))

    whole, floor, decode, prepare = [], [], [], []
    for job in jobs:
        images, card = _encoded_images(job)
        prepare.append(_cpu(lambda job=job: _encoded_images(job)))  # type: ignore[misc]
        whole.append(_cpu(lambda job=job: photos._make(job)))  # type: ignore[misc]

        def encode(images: list[Image.Image] = images, card: Image.Image = card) -> None:
            for image in images:
                photos._encode_webp(image)
                photos._encode_jpeg(image)
            photos._encode_jpeg(card, photos.CARD_QUALITY)

        floor.append(_cpu(encode))

        def decode_only(path: str = job.source) -> None:
            with Image.open(path) as image:
                image.load()

        decode.append(_cpu(decode_only))
    return {
        "photos": count,
        "whole job, CPU ms a photo": 1000 * statistics.median(whole),
        "encoders only (floor), CPU ms a photo": 1000 * statistics.median(floor),
        "decoding the source, CPU ms a photo": 1000 * statistics.median(decode),
        "decode, sizes and card drawn (not encoded), CPU ms": 1000 * statistics.median(prepare),
        "ratio whole / floor": statistics.median(whole) / statistics.median(floor),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    args = parser.parse_args(argv)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(args.photos, Path(folder))
    print(f"photo stage vs encoder floor (load {load}; medians over {args.photos} photos)")
    for name, value in figures.items():
        print(f"  {name}: {value:.2f}" if isinstance(value, float) else f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
