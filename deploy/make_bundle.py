"""Offline install bundles for intranet servers: the project, its lock file and a wheelhouse.

Run on a machine with internet (`deploy/make-bundle`); carry the archive to the server. Inside,
one command installs with no network and one runs the app (INSTALL.txt in the archive says which).

Every wheel is the version `requirements.lock` pins (with --postgres, `requirements-postgres.lock`:
the same pins and the PostgreSQL driver) and is checked against its hashes, so the server gets
exactly the tested set. The lock is universal; for each target the requirements whose
environment markers hold there (Windows-only, Python-version forks) are chosen here, because pip
evaluates markers for the interpreter that runs it, not for the `--platform` it downloads for.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# What a bundle installs: the app (on its embedded DuckDB file), or the app with the PostgreSQL
# driver, psycopg and its compiled part (requirements-postgres.txt), pinned the same way.
LOCK = ROOT / "requirements.lock"
POSTGRES_LOCK = ROOT / "requirements-postgres.lock"
NAME = "metrics-tracker"
# Left out of a bundle: what only developers and CI use.
NOT_SHIPPED = ("tests/", ".ci/", ".gitignore")
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Target:
    name: str
    pip_platforms: tuple[str, ...]   # empty: whatever this interpreter accepts
    markers: dict[str, str]
    windows: bool = False


def _manylinux(machine: str) -> tuple[str, ...]:
    """Every wheel tag a glibc 2.28 system accepts, newest first (a wheel names the oldest glibc it needs)."""
    return (*(f"manylinux_2_{minor}_{machine}" for minor in range(28, 4, -1)),
            f"manylinux2014_{machine}", f"manylinux2010_{machine}", f"manylinux1_{machine}")


def _linux(machine: str) -> dict[str, str]:
    return {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": machine}


TARGETS = {
    "linux_x86_64": Target("linux_x86_64", _manylinux("x86_64"), _linux("x86_64")),
    "linux_aarch64": Target("linux_aarch64", _manylinux("aarch64"), _linux("aarch64")),  # 鲲鹏、飞腾
    "win_amd64": Target("win_amd64", ("win_amd64",),
                        {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                         "platform_machine": "AMD64"}, windows=True),
}


def host_target() -> Target:
    """This machine as it is, for a test that installs the bundle where it was built."""
    system = platform.system()
    if system not in ("Linux", "Windows"):
        raise SystemExit(f"make-bundle: 不支持在 {system} 上构建本机安装包。")
    return Target("host", (), {}, windows=system == "Windows")


def locked_requirements(lock_text: str) -> list[tuple[Requirement, list[str]]]:
    """(requirement with its marker, its hashes) for every entry of a `--generate-hashes` lock."""
    logical, entries = "", []
    for line in lock_text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        logical += " " + stripped.rstrip("\\").strip()
        if stripped.endswith("\\"):
            continue
        spec, *hashes = logical.strip().split(" --hash=")
        entries.append((Requirement(spec.strip()), [h.strip() for h in hashes]))
        logical = ""
    return entries


def requirements_for(entries, markers: dict[str, str], python: str) -> list[str]:
    """The lock's lines that apply on a target, as pip reads them (`name==version --hash=…`)."""
    environment = {**default_environment(), **markers, "python_version": python,
                   "python_full_version": f"{python}.0", "implementation_name": "cpython",
                   "platform_python_implementation": "CPython"}
    chosen = []
    for requirement, hashes in entries:
        if requirement.marker is None or requirement.marker.evaluate(environment):
            chosen.append(f"{requirement.name}{requirement.specifier}" + "".join(f" --hash={h}" for h in hashes))
    return chosen


def lock_for(postgres: bool) -> Path:
    return POSTGRES_LOCK if postgres else LOCK


def download_wheels(target: Target, pythons: list[str], wheelhouse: Path, lock: Path) -> None:
    entries = locked_requirements(lock.read_text(encoding="utf-8"))
    for python in pythons:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as chosen:
            chosen.write("\n".join(requirements_for(entries, target.markers, python)) + "\n")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--dest", str(wheelhouse), "-r", chosen.name]
        if target.pip_platforms:
            abi = "cp" + python.replace(".", "")
            command += ["--python-version", python, "--implementation", "cp",
                        "--abi", abi, "--abi", "abi3", "--abi", "none"]
            for tag in target.pip_platforms:
                command += ["--platform", tag]
        print(f"make-bundle: {target.name} Python {python}: 下载 {wheelhouse.name} …", flush=True)
        try:
            subprocess.run(command, check=True)
        finally:
            os.unlink(chosen.name)


def project_files() -> list[Path]:
    # Tracked and not-yet-committed files alike, but nothing .gitignore excludes (databases, .venv, build).
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout
    names = [n for n in listed.decode("utf-8").split("\0") if n]
    return [ROOT / n for n in names if not n.startswith(NOT_SHIPPED) and (ROOT / n).is_file()]


INSTALL_LINUX = """\
开发区指标跟踪 · 离线安装（Linux，{target}）
需要：glibc ≥ 2.28，Python 3.11 及以上（含 venv 模块；Debian/Ubuntu 为 python3-venv 包）。

安装（不需要联网）：
    python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse -r {lock}

运行：
{database}    .venv/bin/streamlit run app.py

首次运行会在 data/ 下建立数据库（设置了 METRICS_DATABASE_URL 时用该数据库）。作为服务运行、HTTPS 与多进程，见 README.md 的“部署 · Deployment”一节和 deploy/ 目录。
"""
# A PostgreSQL bundle says where its database is before the app is run (README, 部署).
POSTGRES_DATABASE_LINUX = "    export METRICS_DATABASE_URL=postgresql://用户名:密码@数据库服务器/库名\n"
POSTGRES_DATABASE_WINDOWS = "    set METRICS_DATABASE_URL=postgresql://用户名:密码@数据库服务器/库名\n"
INSTALL_WINDOWS = """\
开发区指标跟踪 · 离线安装（Windows Server，{target}）
需要：64 位 Python 3.11 及以上（python.org 安装包，勾选 py 启动器）。

安装（不需要联网，在本目录的命令提示符中）：
    py -3 -m venv .venv && .venv\\Scripts\\pip install --no-index --find-links wheelhouse -r {lock}

运行：
{database}    .venv\\Scripts\\streamlit run app.py

首次运行会在 data\\ 下建立数据库（设置了 METRICS_DATABASE_URL 时用该数据库）。作为服务运行与 HTTPS，见 README.md 的“部署 · Deployment”一节。
"""


def build(target: Target, pythons: list[str], out: Path, postgres: bool = False) -> Path:
    lock = lock_for(postgres)
    with tempfile.TemporaryDirectory(prefix="make-bundle-") as work:
        top = Path(work) / f"{NAME}{'-postgres' if postgres else ''}-{target.name}"
        for source in project_files():
            destination = top / source.relative_to(ROOT)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
        download_wheels(target, pythons, top / "wheelhouse", lock)
        text = INSTALL_WINDOWS if target.windows else INSTALL_LINUX
        database = (POSTGRES_DATABASE_WINDOWS if target.windows else POSTGRES_DATABASE_LINUX) if postgres else ""
        (top / "INSTALL.txt").write_text(text.format(target=target.name, lock=lock.name, database=database),
                                         encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        if target.windows:
            archive = out / f"{top.name}.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(top.rglob("*")):
                    bundle.write(path, path.relative_to(top.parent))
        else:
            archive = out / f"{top.name}.tar.gz"
            with tarfile.open(archive, "w:gz") as bundle:
                bundle.add(top, arcname=top.name)
    print(f"make-bundle: 已生成 {archive}（{archive.stat().st_size / 2**20:.0f} MB）")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/make-bundle", description="构建离线安装包（每个平台一个压缩包）。")
    parser.add_argument("--platform", action="append", choices=[*TARGETS, "host"],
                        help="目标平台，可重复；默认 linux_x86_64、linux_aarch64、win_amd64 三个")
    parser.add_argument("--python", action="append",
                        help=f"目标 Python 版本，可重复；默认 {'、'.join(DEFAULT_PYTHONS)}（host 平台默认本机版本）")
    parser.add_argument("--postgres", action="store_true",
                        help=f"连同 PostgreSQL 驱动 psycopg 一起打包（{POSTGRES_LOCK.name}），供 METRICS_DATABASE_URL 使用")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bundles", help="输出目录（默认 build/bundles）")
    args = parser.parse_args(argv)
    for name in args.platform or list(TARGETS):
        target = host_target() if name == "host" else TARGETS[name]
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        pythons = args.python or ([here] if name == "host" else list(DEFAULT_PYTHONS))
        for python in pythons:
            if not re.fullmatch(r"3\.\d+", python) or tuple(map(int, python.split("."))) < (3, 11):
                parser.error(f"Python 版本 {python} 不受支持：需要 3.11 及以上，写作 3.12 这样的形式")
        build(target, pythons, args.out, args.postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
