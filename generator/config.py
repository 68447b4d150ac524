"""Build settings: the one place paths and the base URL are resolved."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_BASE_URL = "http://localhost:8000/"
# The ledgers of what was ever published (generator/ledger.py), in the catalog folder; the lots
# and recalls ledgers always sit beside the products' one.
IDS_LEDGER = "published-ids.txt"
LOTS_LEDGER = "published-lots.txt"
RECALLS_LEDGER = "published-recalls.txt"


def ledger_paths(ids_ledger: Path) -> tuple[Path, Path]:
    """The lots and recalls ledgers beside a products ledger."""
    return ids_ledger.with_name(LOTS_LEDGER), ids_ledger.with_name(RECALLS_LEDGER)


@dataclass(frozen=True)
class PoolSettings:
    """When work goes to worker processes and in what portions (generator/parallel.py): below
    these amounts a pool costs more than it saves. Tests lower them to run the pool path on a
    small catalog."""

    min_items: int = 1000  # per-record work (load, validate, pages): fewer records run here
    chunk: int = 250  # records a worker takes at a time
    photo_batch: int = 16  # photo sources a worker takes at a time (at most)
    cards_per_job: int = 8  # share cards of one photo drawn by one worker (the rest: others)
    label_min_cost: int = 200  # labels: sheet cells to draw before workers are started
    validation_bytes: int = 4_000_000  # datasets: lines frictionless reads, from here in a child
    xlsx_cells: int = 250_000  # datasets: cells from which the workbook is made in a child


@dataclass(frozen=True)
class EditorSettings:
    """The web editor's backend (generator/render/editor.py): the GitHub repository records are
    proposed to, and the OAuth helper that signs people in (no secret here: the helper keeps
    it). `local_backend` is a decap-server on this machine, for trying the editor locally."""

    repo: str | None = None  # "owner/name"
    branch: str = "main"
    auth_url: str | None = None  # "https://ocop-oauth.example.workers.dev"
    auth_endpoint: str = "auth"
    local_backend: str | None = None  # "http://localhost:8081/api/v1"


@dataclass(frozen=True)
class BuildConfig:
    catalog_dir: Path
    out_dir: Path
    base_url: str  # absolute, ends with "/": "https://owner.github.io/repo/"
    as_of: dt.date  # validity is computed for this day
    lang: str = "vi"
    schemas_dir: Path = SCHEMAS_DIR
    templates_dir: Path = PROJECT_ROOT / "site_templates"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    # published-ids ledger (the lots and recalls ledgers sit beside it); None: catalog_dir's
    ledger_path: Path | None = None
    workers: int = 0  # 0: all cores
    pools: PoolSettings = PoolSettings()
    editor: EditorSettings = EditorSettings()

    @property
    def base_path(self) -> str:
        """Path part of the base URL: "/repo/" on GitHub Pages, "/" at a domain root."""
        rest = self.base_url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    @property
    def ledger(self) -> Path:
        return self.ledger_path or self.catalog_dir / IDS_LEDGER


def normalise_base_url(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        raise ValueError(f"base URL must be absolute (https://...): {url!r}")
    return url if url.endswith("/") else url + "/"


def today_in_vietnam() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def last_commit_date(path: Path) -> dt.date | None:
    """Date of the last commit touching `path`: the data release date (reproducible)."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", "."],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return dt.date.fromisoformat(out) if out else None
