"""A product's photo folder: the files its record lists, and the files it does not list.

Photo files change without the record changing, so unlike the record's own checks these run on
every run; a photo whose file stamp is unchanged since it passed is taken from the check cache
instead of being read again (generator/photocheck.py reads one file).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from generator.checkcache import PhotoRow
from generator.errors import problem
from generator.lots import LOTS_FILE
from generator.photocheck import (
    IMAGE_EXTENSIONS,
    PhotoFacts,
    check_photo,
    file_stamp,
    lstat,
    name_key,
)
from generator.validate.record import RecordChecker, value_at
from generator.validate.result import Validation
from generator.yamlfile import dotted

# The product's own files beside its photos: the record and its lots table (read by load.py).
_RECORD_FILES = frozenset({"product.yaml", LOTS_FILE})
# A photo's facts as a plain tuple (width, height, format, sha256): small to pickle, cheap to
# rebuild.
Facts = tuple[int, int, str, str]


def facts_row(facts: PhotoFacts) -> Facts:
    return (facts.width, facts.height, facts.format, facts.sha256)


def check_photos(
    c: RecordChecker,
    out: Validation,
    known: Mapping[str, PhotoRow],
    folder: Path,
) -> int:
    """The photo files a product lists, and the files it does not list: they change without
    the record changing, so they are checked on every run (cached facts spare the reading).
    Returns how many photos were read."""
    record = c.record
    photos = record.data.get("photos", [])  # a product without photos yet is fine
    if not isinstance(photos, list):
        return 0  # the schema reports it; "photo not used" for every file would only repeat it
    read = 0
    folder_name, folder_text = folder.name, str(folder)
    listed: set[str] = set()
    accounted: set[str] = set()  # files a problem above already talks about
    for i, photo in enumerate(photos):
        name = value_at(photo, "file")
        if not isinstance(name, str):
            continue
        path = ("photos", i, "file")
        if name in listed:
            c.add(path, "photo-duplicate", value=name)
            continue
        listed.add(name)
        # a bare file name (PurePosixPath(name).name == name): only such a file can be cached
        bare = "/" not in name and name != "."
        where = f"{folder_text}/{name}" if bare and name else str(folder / name)
        info = lstat(where) if bare else None
        stamp = file_stamp(where, info) if bare else None
        cached = known.get(where)
        if stamp is not None and cached is not None and cached[:3] == stamp:
            facts, problems = PhotoFacts(*cached[3:]), []  # unchanged since it passed: not read
            out.checked[where] = cached
        else:
            read += 1
            # the line is looked up only for a problem: it decodes the record's line marks
            facts, problems = check_photo(folder, name, record.display, 0, dotted(path), info)
            if problems:
                line = record.line(path)
                problems = [dataclasses.replace(found, line=line) for found in problems]
            if facts is not None and stamp is not None:
                out.checked[where] = (*stamp, *facts_row(facts))
        out.problems += problems
        if problems and problems[0].code == "photo-missing":  # `Anh.JPG` for `anh.jpg`
            key = name_key(name)  # also `ảnh.jpg` for the same name in NFD
            accounted |= {p.name for p in folder.iterdir() if name_key(p.name) == key}
        elif problems and problems[0].code == "photo-path":  # `../anh.jpg`, `anh/anh.jpg`
            accounted.add(PurePosixPath(name.replace("\\", "/")).name)
        if facts is not None:
            out.photos[(folder_name, name)] = facts
        alt = value_at(photo, "alt")
        if isinstance(alt, str):
            folded, name_folded = alt.strip().casefold(), name.casefold()
            # the stem is part of the name: a Path for each of 40,000 photos only when it may be
            if folded in name_folded and (
                folded == name_folded or folded == Path(name).stem.casefold()
            ):
                c.add(("photos", i, "alt"), "alt-is-file-name")
    skip = listed | accounted
    shown_folder = record.display.rsplit("/", 1)[0]
    for extra in sorted(os.listdir(folder)):  # names, in the order of sorted(iterdir())
        if extra in skip or extra in _RECORD_FILES or extra.startswith("."):
            continue
        shown = f"{shown_folder}/{extra}"
        dot = extra.rfind(".")  # Path.suffix
        suffix = extra[dot:] if 0 < dot < len(extra) - 1 else ""
        if suffix.lower() in IMAGE_EXTENSIONS:
            out.problems.append(problem(shown, 1, "", "unused-file", value=extra))
        else:
            out.problems.append(problem(shown, 1, "", "stray-file"))
    return read
