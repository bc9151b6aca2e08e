"""The README documents the command line and the two commands, and stays true."""
import re

from conftest import REPO
from metrics.cli import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def parser_commands() -> set[str]:
    subparsers = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    return set(subparsers.choices)


def readme_commands() -> set[str]:
    return set(re.findall(r"^\| `python -m metrics ([a-z-]+)", README, flags=re.M))


def test_every_command_is_documented_and_every_documented_command_exists():
    assert readme_commands() == parser_commands()


def test_documented_options_exist():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for line in re.findall(r"^\| `python -m metrics ([^`]+)`", README, flags=re.M):
        command, *rest = line.split()
        options = set(re.findall(r"--[a-z-]+", " ".join(rest)))
        known = {o for a in subparsers.choices[command]._actions for o in a.option_strings}
        assert options <= known, (command, options - known)


def test_readme_gives_the_run_and_test_commands_and_ci_runs_the_test_command():
    # Debian's and Ubuntu's own python3 refuse a system-wide pip (PEP 668): both make a venv.
    run = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/streamlit run app.py"
    test = "python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && .venv/bin/python -m pytest"
    assert run in README and test in README
    assert test in (REPO / ".ci" / "run").read_text(encoding="utf-8")
