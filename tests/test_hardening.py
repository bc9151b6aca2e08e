"""The server's configuration and the pages keep the hardening the intranet install relies on."""
import tomllib

from conftest import REPO

CONFIG = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_xsrf_and_cors_protection_are_on():
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True


def test_error_details_are_hidden_and_usage_statistics_are_off():
    assert CONFIG["client"]["showErrorDetails"] in ("none", False)
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_uploads_are_capped_at_20_mb():
    assert CONFIG["server"]["maxUploadSize"] == 20


def test_no_page_renders_raw_html():
    """HTML is written in one place only, metrics/ui/blocks.py (the cards, the strip, the uploader's
    words), where every text in it is escaped; nowhere is Markdown allowed to carry HTML."""
    files = [REPO / "app.py", *(REPO / "metrics" / "ui").rglob("*.py")]
    offenders = [str(p.relative_to(REPO)) for p in files if "unsafe_allow_html" in p.read_text(encoding="utf-8")
                 or ("st.html(" in p.read_text(encoding="utf-8") and p.name != "blocks.py")]
    assert offenders == []
