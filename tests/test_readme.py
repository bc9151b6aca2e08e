"""The README documents the command line, the two commands and the layout, and stays true."""
import fnmatch
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


# ---- the layout table, checked against the tree as sqlite-utils checks its CLI docs -----------------

def layout_rows() -> list[tuple[list[str], list[str]]]:
    """(paths in the where column, names in the what column) for each row of the layout table."""
    section = README[README.index("## 项目结构 · Layout"):]
    lines = [line for line in section.splitlines() if line.startswith("| ")][2:]
    rows = []
    for line in lines:
        where, what = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows.append((re.findall(r"`([^`]+)`", where), [n for n in re.findall(r"`([^`]+)`", what) if " " not in n]))
    return rows


def generated(path) -> bool:
    """Made by running the app or the tests (.gitignore), so neither shipped nor to be listed."""
    relative = path.relative_to(REPO).as_posix()
    patterns = [p.strip() for p in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines() if p.strip()]
    return any(fnmatch.fnmatch(relative if "/" in p.strip("/") else path.name, p.strip("/")) for p in patterns)


def claimed(folder, name: str) -> list:
    """What a name in a folder's row stands for: a file or folder in it (or, with a /, in the
    repository), a pattern such as `migrations_*.py` or `test_<feature>.py` standing for several."""
    pattern = re.sub(r"<[^>]+>", "*", name).rstrip("/")
    return sorted((REPO if "/" in pattern else folder).glob(pattern))


def children(folder) -> list:
    return [p for p in sorted(folder.iterdir()) if p.name != "__init__.py" and not generated(p)]


def folder_rows() -> dict:
    return {REPO / where[0]: names for where, names in layout_rows() if len(where) == 1 and where[0].endswith("/")}


def test_every_path_the_layout_table_names_exists():
    for where, names in layout_rows():
        assert [w for w in where if not (REPO / w).exists()] == [], where
        folder = REPO / where[0] if len(where) == 1 and where[0].endswith("/") else REPO
        names = names if folder != REPO else [n for n in names if "/" in n]
        missing = [n for n in names if not claimed(folder, n) and not generated(folder / n.rstrip("/"))]
        assert missing == [], (where, missing)


def test_the_layout_table_lists_every_module_and_folder():
    listed = {w.rstrip("/") for where, _ in layout_rows() for w in where}
    library = [p for p in children(REPO / "metrics") if p.suffix == ".py" or (p / "__init__.py").exists()]
    assert [p.relative_to(REPO).as_posix() for p in library if p.relative_to(REPO).as_posix() not in listed] == []
    rows = folder_rows()
    expected = [REPO / "tools", REPO / "data", REPO / "tests"] + [p for p in library if p.is_dir()]
    assert [str(f.relative_to(REPO)) for f in expected if f not in rows] == []
    unlisted = {}
    for folder, names in rows.items():
        named = {p for n in names for p in claimed(folder, n)}
        unlisted.update({str(p.relative_to(REPO)): folder.relative_to(REPO).as_posix() + "/"
                         for p in children(folder) if p not in named})
    assert unlisted == {}, "name each in its folder's row of the README's layout table"
