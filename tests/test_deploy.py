"""The deployment files agree with the app's own settings, and the offline bundle chooses, from
the universal lock, exactly the wheels each target platform needs."""
import re
import sys
import tomllib

from conftest import REPO
from metrics.ingest import read

sys.path.insert(0, str(REPO / "deploy"))
from make_bundle import DEFAULT_PYTHONS, TARGETS, lock_for, locked_requirements, requirements_for  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402

NGINX = (REPO / "deploy" / "nginx-metrics-tracker.conf").read_text(encoding="utf-8")
UNIT = (REPO / "deploy" / "metrics-tracker@.service").read_text(encoding="utf-8")
LOCK = """\
numpy==2.4.6 ; python_full_version < '3.12' \\
    --hash=sha256:aaa
numpy==2.5.5 ; python_full_version >= '3.12' \\
    --hash=sha256:bbb \\
    --hash=sha256:ccc
    # via pandas
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:ddd
watchdog==7.1.0 ; sys_platform != 'darwin' \\
    --hash=sha256:eee
"""


def test_nginx_accepts_every_upload_the_app_accepts_and_little_more():
    streamlit_mb = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    nginx_mb = int(re.search(r"client_max_body_size\s+(\d+)m;", NGINX).group(1))
    assert streamlit_mb * 2**20 == read.MAX_FILE_BYTES
    assert streamlit_mb < nginx_mb <= streamlit_mb + 1


def test_nginx_upgrades_websockets_keeps_each_browser_on_one_process_and_serves_tls():
    assert "ip_hash;" in NGINX
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX
    assert "proxy_set_header Connection $connection_upgrade;" in NGINX
    assert re.search(r"listen 443 ssl", NGINX) and "ssl_certificate " in NGINX


def test_the_service_runs_unprivileged_restarts_and_writes_only_its_data_folder():
    assert re.search(r"^User=(?!root)\w+", UNIT, re.M)
    assert re.search(r"^Restart=(on-failure|always)", UNIT, re.M)
    assert "ProtectSystem=strict" in UNIT and "ReadWritePaths=/var/lib/metrics-tracker" in UNIT
    assert "--server.port %i" in UNIT


def test_the_bundle_takes_each_requirement_whose_markers_hold_on_the_target():
    entries = locked_requirements(LOCK)
    assert [len(hashes) for _, hashes in entries] == [1, 2, 1, 1]
    linux_311 = requirements_for(entries, TARGETS["linux_x86_64"].markers, "3.11")
    windows_312 = requirements_for(entries, TARGETS["win_amd64"].markers, "3.12")
    assert linux_311 == ["numpy==2.4.6 --hash=sha256:aaa", "watchdog==7.1.0 --hash=sha256:eee"]
    assert windows_312 == ["numpy==2.5.5 --hash=sha256:bbb --hash=sha256:ccc", "colorama==0.4.6 --hash=sha256:ddd",
                           "watchdog==7.1.0 --hash=sha256:eee"]


def pins(lock_text: str) -> dict[str, str]:
    return {requirement.name: str(requirement.specifier) for requirement, _ in locked_requirements(lock_text)}


def test_a_postgresql_bundle_takes_the_driver_and_its_compiled_part_on_every_target():
    postgres_lock = lock_for(postgres=True).read_text(encoding="utf-8")
    entries = locked_requirements(postgres_lock)
    for target in TARGETS.values():
        for python in DEFAULT_PYTHONS:
            chosen = {line.split("==")[0] for line in requirements_for(entries, target.markers, python)}
            assert {"psycopg", "psycopg-binary"} <= chosen, (target.name, python)
    # The lock follows requirements-postgres.txt, and pins the rest as the default bundle does.
    driver = next(Requirement(line) for line in (REPO / "requirements-postgres.txt").read_text().splitlines()
                  if line.startswith("psycopg"))
    assert driver.specifier.contains(pins(postgres_lock)["psycopg"].lstrip("="))
    default = pins(lock_for(postgres=False).read_text(encoding="utf-8"))
    assert "psycopg" not in default
    assert {name: pin for name, pin in pins(postgres_lock).items() if name in default} == default
