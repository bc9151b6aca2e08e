"""Who is using the app: local sign-in (or OIDC through st.login when secrets configure it).

A signed-in session is tied to the browser that signed in: Streamlit lets a browser resume a
session by its id, and that id appears in upload URLs, so the id alone must not carry the account.
"""
from __future__ import annotations

import hashlib
import os

import streamlit as st

from metrics import auth, tracker
from metrics.ui import reads
from metrics.ui.reads import get_store
from metrics.ui.state import t

VIEW_REQUIRES_SIGN_IN = os.environ.get("METRICS_VIEW_REQUIRES_SIGN_IN", "").lower() in ("1", "true", "yes")
# Behind nginx every request comes from 127.0.0.1: trust its X-Real-IP only when told the proxy is there.
TRUST_PROXY = os.environ.get("METRICS_TRUST_PROXY", "").lower() in ("1", "true", "yes")
KEPT_AT_SIGN_OUT = ("chosen_lang",)


def client_address() -> str:
    if TRUST_PROXY:
        forwarded = st.context.headers.get("X-Real-IP") or st.context.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return st.context.ip_address or ""


def browser_fingerprint(xsrf_cookie: str, user_agent: str) -> str:
    """A browser, by the XSRF cookie Streamlit sets once per browser, and its user agent."""
    return hashlib.sha256(f"{xsrf_cookie}\x1f{user_agent}".encode()).hexdigest()


def _browser() -> str:
    cookie = st.context.cookies.get("_streamlit_xsrf", "")
    # Under AppTest there is no browser, and the cookie jar is a stand-in object: no cookie.
    return browser_fingerprint(cookie if isinstance(cookie, str) else "", st.context.headers.get("User-Agent", ""))


def sign_out() -> None:
    """Forget everything the session holds (a preview and its confirm button included), but the language."""
    kept = {key: st.session_state[key] for key in KEPT_AT_SIGN_OUT if key in st.session_state}
    st.session_state.clear()
    st.session_state.update(kept)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: the usual intranet install
        return False


def current_actor() -> auth.Actor | None:
    if _oidc_configured() and st.user.is_logged_in:
        name = st.user.get("email") or st.user.get("name") or "oidc"
        record = get_store().user_record(name)
        role = record["role"] if record is not None and not record["disabled"] else "viewer"
        return auth.Actor(name, role, origin=f"网页 {client_address()}（统一身份认证）")
    actor = st.session_state.get("actor")
    if actor is not None and st.session_state.get("actor_browser") != _browser():
        sign_out()  # another browser resumed this session by its id
        return None
    return actor


def sign_in_form(key: str, expanded: bool) -> None:
    with st.expander(t("signin_box"), expanded=expanded):
        with st.form(key, clear_on_submit=True):
            name = st.text_input(t("signin_name"))
            password = st.text_input(t("signin_password"), type="password")
            if st.form_submit_button(t("signin_submit")):
                try:
                    address = client_address()
                    actor = tracker.sign_in(get_store(), name, password, client=address, origin=f"网页 {address}")
                except auth.PermissionDenied as exc:  # a wrong password, or a wait: metrics.auth's words
                    reads.show_problem(exc)
                else:
                    sign_out()  # nothing of whoever used this tab before carries over
                    st.session_state["actor"], st.session_state["actor_browser"] = actor, _browser()
                    st.rerun()


def sign_in_panel() -> None:
    """The sidebar's account box: who is signed in, or a sign-in form."""
    actor = current_actor()
    with st.sidebar:
        if actor is not None:
            st.caption(t("signin_signed_in", name=reads.inert(actor.name), role=t(f"signin_role_{actor.role}")))
            if st.button(t("signin_sign_out"), key="sign_out"):
                if _oidc_configured() and st.user.is_logged_in:
                    st.logout()
                sign_out()
                st.rerun()
            return
        if _oidc_configured():
            st.button(t("signin_oidc"), on_click=st.login, key="oidc_sign_in")
        sign_in_form("sign_in", expanded=VIEW_REQUIRES_SIGN_IN)
        if not reads.has_accounts(get_store().data_version()):
            st.caption(t("signin_no_accounts"))


def gate() -> None:
    """Stop here unless viewing is open or someone is signed in."""
    sign_in_panel()
    if VIEW_REQUIRES_SIGN_IN and current_actor() is None:
        st.info(t("signin_required"))
        sign_in_form("sign_in_gate", expanded=True)
        st.stop()


def require_role(action: str) -> auth.Actor:
    """For pages that change data: show why not and stop, instead of showing controls that would fail."""
    actor = current_actor()
    try:
        auth.require(actor, action)
    except auth.PermissionDenied as exc:
        st.info(reads.inert(str(exc)))
        if actor is None:
            sign_in_form("sign_in_here", expanded=True)
        st.stop()
    return actor
