"""A fresh checkout: `streamlit run app.py` creates and seeds the database and shows the overview."""
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO
from metrics.store import Store


@pytest.fixture
def fresh_db(streamlit_db):
    return streamlit_db


def all_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info", "text", "metric"):
        for element in getattr(at, kind, []):
            parts.append(str(getattr(element, "value", "")) + str(getattr(element, "label", "")))
    return "\n".join(parts)


def test_first_start_creates_and_seeds_the_database_and_shows_status_with_the_illustrative_label(fresh_db):
    assert not fresh_db.exists()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    assert not at.exception
    store = Store(fresh_db)
    assert store.is_initialised() and store.latest_period() == "2023-04"
    text = all_text(at)
    assert "示例数据" in text
    assert "序时进度" in text
    assert "整改" in text


def test_streamlit_config_hides_errors_caps_uploads_and_sends_no_statistics():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert config["server"]["maxUploadSize"] == 20
    assert config["server"]["enableXsrfProtection"] is True
