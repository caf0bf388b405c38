"""The set-up files agree with each other."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_installs_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    listed = set()
    editable = []
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        item = line.split("#", 1)[0].strip()
        if not item.startswith("- ") or item.endswith(":"):
            continue
        value = item[2:].strip()
        if value.startswith("-e "):
            editable.append(value)
        else:
            listed.add(_name(value))
    listed -= {"python", "pip"}
    assert listed == wanted, (
        f"environment.yml lists {sorted(listed ^ wanted)} differently from pyproject.toml"
    )
    assert editable == ["-e .[dev,notebooks,scale,docs]"]


def _make_dry_run(target: str) -> list[str]:
    """The commands ``make`` would run for ``target`` from scratch (``-n -B``: print, run nothing)."""
    done = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_setup_installs_the_pinned_cpu_torch_and_the_package():
    installs = [line for line in _make_dry_run("setup") if " -m pip install " in line]
    assert len(installs) == 1
    words = installs[0].split()
    assert "torch==2.13.0" in words  # an unpinned torch pulls a multi-GB CUDA build
    assert any(
        w.startswith("-e") or w == "-e" for w in words
    ) and ".[dev,notebooks,scale,docs]" in " ".join(words)
    yml = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*- torch==2\.13\.0\s*$", yml, flags=re.M)


def test_make_test_sets_up_then_runs_the_whole_suite():
    commands = _make_dry_run("test")
    setup = next(i for i, c in enumerate(commands) if " -m pip install " in c)
    suite = next(i for i, c in enumerate(commands) if " -m pytest" in c)
    assert setup < suite
    assert commands[suite].split()[-2:] == ["-m", "pytest"] or commands[suite].endswith("-m pytest")


def test_ci_calls_make_test(tmp_path):
    """.ci/run calls the README's test command: run it with a ``make`` that records."""
    fake = tmp_path / "make"
    log = tmp_path / "calls"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, check=True, cwd=tmp_path)
    assert "test" in log.read_text().split()
    readme = (ROOT / "README.md").read_text()
    shell = "\n".join(re.findall(r"```bash\n(.*?)```", readme, flags=re.S))
    commands = {line.split("#")[0].strip() for line in shell.splitlines()}
    assert {"make test", "make demo"} <= commands
