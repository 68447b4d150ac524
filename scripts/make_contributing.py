"""Regenerates the generated parts of the contribution guides and .github/CODEOWNERS.

    python scripts/make_contributing.py           # rewrite the files
    python scripts/make_contributing.py --check   # exit 1 when a committed file is out of date

The field tables, templates, error examples and province list come from the schemas, the
vocabularies and the validator (generator/fielddocs.py); only the text between the
`<!-- name:start -->` and `<!-- name:end -->` markers is replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from generator.fielddocs import CODEOWNERS, GUIDES, codeowners, render_guide
from generator.places import load_places


def expected() -> dict[Path, str]:
    """Every generated file with the content it should have."""
    files = {
        path: render_guide(path.read_text(encoding="utf-8"), lang) for lang, path in GUIDES.items()
    }
    current = CODEOWNERS.read_text(encoding="utf-8") if CODEOWNERS.is_file() else ""
    files[CODEOWNERS] = codeowners(load_places(), current)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report outdated files")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"updated {path.name}")
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(f"out of date: {names}; run python scripts/make_contributing.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
