"""Installing on a fresh machine: the requirement floors work together, the lock file agrees with
the ranges, and the offline bundle installs and serves the app on a server with no network.

These install real environments, so they take minutes, not seconds; they are the `slow` part."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import REPO

sys.path.insert(0, str(REPO / "deploy"))
from make_bundle import locked_requirements  # noqa: E402

pytestmark = pytest.mark.slow


def direct_requirements(name: str) -> list[Requirement]:
    lines = (REPO / name).read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines
            if line.split("#")[0].strip() and not line.startswith("-r")]


def test_the_lock_pins_every_direct_requirement_inside_its_range():
    pinned: dict[str, list[str]] = {}
    for requirement, hashes in locked_requirements((REPO / "requirements.lock").read_text(encoding="utf-8")):
        assert hashes, requirement
        (version,) = [s.version for s in requirement.specifier]
        pinned.setdefault(canonicalize_name(requirement.name), []).append(version)
    for requirement in direct_requirements("requirements.txt"):
        versions = pinned.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements.lock: refresh it (README, 部署)"
        assert all(requirement.specifier.contains(v) for v in versions), (requirement, versions)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_the_lowest_versions_the_ranges_admit_pass_the_fast_tests(tmp_path):
    """So that a floor can never again admit a broken install (pandas 2.2 beside NumPy 1.26 did)."""
    venv = tmp_path / "lowest"
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    run([*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--resolution", "lowest-direct", "-r", str(REPO / "requirements-dev.txt")], cwd=REPO)
    frozen = run([*uv, "pip", "freeze", "--python", str(venv / "bin" / "python")]).stdout.splitlines()
    installed = {canonicalize_name(n): Version(v) for n, v in (line.split("==") for line in frozen if "==" in line)}
    for requirement in direct_requirements("requirements.txt"):
        floor = next(Version(s.version) for s in requirement.specifier if s.operator == ">=")
        assert installed[canonicalize_name(requirement.name)] == floor, requirement
    # Two workers: this rerun is the longest part of CI, and the fast tests share nothing between them
    # (each has its own folders, databases and, per worker, its own PostgreSQL cluster).
    tests = run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                 "-x", "-n", "2"], cwd=REPO, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, timeout=3600)
    assert " passed" in tests.stdout.splitlines()[-1], tests.stdout[-2000:]


SERVE_OFFLINE = textwrap.dedent("""\
    set -eu
    ip link set lo up
    cd "$BUNDLE"
    eval "$INSTALL"
    # The command line on the store the environment names (METRICS_DB, or METRICS_DATABASE_URL).
    .venv/bin/python -m metrics init
    .venv/bin/python -m metrics health
    .venv/bin/streamlit run app.py --server.port 8599 --server.headless true > streamlit.log 2>&1 &
    server=$!
    .venv/bin/python - <<'PY'
    import time, urllib.request
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:8599/_stcore/health", timeout=2) as response:
                print("health", response.status, response.read().decode())
                break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("no answer from /_stcore/health within 120 s")
            time.sleep(0.5)
    PY
    kill $server
    """)


def serve_bundle_offline(tmp_path: Path, *, postgres: bool = False, env: dict[str, str] | None = None) -> str:
    """Build the bundle, unpack it as an administrator would, and install, initialise and serve it
    inside a network namespace with only loopback; returns what the script printed."""
    out = tmp_path / "bundles"
    run([sys.executable, str(REPO / "deploy" / "make_bundle.py"), "--platform", "host", "--out", str(out),
         *(["--postgres"] if postgres else [])], cwd=REPO, timeout=1800)
    (archive,) = out.glob("*.tar.gz")
    (tmp_path / "server").mkdir()
    run(["tar", "-xzf", str(archive), "-C", str(tmp_path / "server")])  # as an administrator unpacks it
    (top,) = (tmp_path / "server").iterdir()
    assert (top / "requirements.lock").exists() and (top / "INSTALL.txt").exists()
    assert not (top / "tests").exists()
    # The install command as INSTALL.txt gives it to the administrator, with this Python.
    (install,) = [line.strip() for line in (top / "INSTALL.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip().startswith("python3 -m venv")]
    assert install.endswith(f"-r {'requirements-postgres.lock' if postgres else 'requirements.lock'}"), install
    # Inside a network namespace with only loopback: no PyPI, no mirror, no pip.conf to help.
    isolate = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--net"]
    python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "METRICS_"))}
    served = subprocess.run([*isolate, "sh", "-c", SERVE_OFFLINE], capture_output=True, text=True, timeout=1800,
                            env={**clean, **(env or {}), "BUNDLE": str(top),
                                 "INSTALL": install.replace("python3", f"'{python}'", 1) + " --quiet",
                                 "PIP_CONFIG_FILE": os.devnull})
    log = (top / "streamlit.log").read_text() if (top / "streamlit.log").exists() else ""
    assert served.returncode == 0, f"{served.stdout}\n{served.stderr}\n{log}"
    assert "health 200 ok" in served.stdout, served.stdout
    return served.stdout


def test_the_offline_bundle_installs_and_serves_the_app_with_only_loopback(tmp_path):
    printed = serve_bundle_offline(tmp_path)
    assert "数据库可读可写（duckdb，" in printed, printed


def test_the_postgresql_bundle_installs_offline_and_its_driver_reaches_the_database(tmp_path, postgres_url):
    # The cluster listens on a Unix socket, which a namespace with only loopback still reaches.
    printed = serve_bundle_offline(tmp_path, postgres=True, env={"METRICS_DATABASE_URL": postgres_url})
    assert "数据库可读可写（postgresql，" in printed, printed
