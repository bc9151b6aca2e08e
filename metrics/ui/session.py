"""Who is using the app: local sign-in (or OIDC through st.login when secrets configure it)."""
from __future__ import annotations

import os

import streamlit as st

from metrics import auth, tracker
from metrics.ui import common
from metrics.ui.common import get_store, t

VIEW_REQUIRES_SIGN_IN = os.environ.get("METRICS_VIEW_REQUIRES_SIGN_IN", "").lower() in ("1", "true", "yes")


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
        return auth.Actor(name, role)
    return st.session_state.get("actor")


def sign_in_form(key: str, expanded: bool) -> None:
    with st.expander(t("signin_box"), expanded=expanded):
        with st.form(key, clear_on_submit=True):
            name = st.text_input(t("signin_name"))
            password = st.text_input(t("signin_password"), type="password")
            if st.form_submit_button(t("signin_submit")):
                try:
                    st.session_state["actor"] = tracker.sign_in(get_store(), name, password)
                    st.rerun()
                except auth.PermissionDenied as exc:  # wrong password, locked out: metrics.auth's words
                    st.error(str(exc))


def sign_in_panel() -> None:
    """The sidebar's account box: who is signed in, or a sign-in form."""
    actor = current_actor()
    with st.sidebar:
        if actor is not None:
            st.caption(t("signin_signed_in", name=actor.name, role=t(f"signin_role_{actor.role}")))
            if st.button(t("signin_sign_out"), key="sign_out"):
                if _oidc_configured() and st.user.is_logged_in:
                    st.logout()
                st.session_state.pop("actor", None)
                st.rerun()
            return
        if _oidc_configured():
            st.button(t("signin_oidc"), on_click=st.login, key="oidc_sign_in")
        sign_in_form("sign_in", expanded=VIEW_REQUIRES_SIGN_IN)
        if not common.has_accounts(get_store().data_version()):
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
        st.info(str(exc))
        if actor is None:
            sign_in_form("sign_in_here", expanded=True)
        st.stop()
    return actor
