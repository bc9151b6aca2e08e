"""The session's state: its language, and the choices kept in the URL (so a view can be bookmarked)
and in the session (because switching pages drops the URL's parameters)."""
from __future__ import annotations

import streamlit as st

from metrics import i18n


def language() -> str:
    """The session's language: the URL's ?lang=, else the last choice, else Chinese."""
    return _remembered("lang", list(i18n.LANGUAGES), i18n.DEFAULT_LANGUAGE)


def t(key: str, **values) -> str:
    return i18n.t(key, language(), **values)


def language_switch() -> str:
    return url_choice("lang", list(i18n.LANGUAGES), i18n.DEFAULT_LANGUAGE, i18n.t("language"),
                       widget=st.sidebar.segmented_control, format_func=i18n.LANGUAGES.get, required=True)


def _remembered(key: str, options: list[str], default: str) -> str:
    for candidate in (st.query_params.get(key), st.session_state.get(f"chosen_{key}")):
        if candidate in options:
            return candidate
    return default


def url_choice(key: str, options: list[str], default: str, label: str, *, widget=None, **widget_args) -> str:
    """A picker whose choice is written to the URL (?key=value), so a view can be bookmarked and
    shared, and to the session, because switching pages drops the URL's parameters."""
    widget_key = f"picker_{key}"

    def remember() -> None:
        st.session_state[f"chosen_{key}"] = st.session_state[widget_key]
        st.query_params[key] = st.session_state[widget_key]

    chosen = _remembered(key, options, default)
    st.session_state[widget_key] = chosen
    (widget or st.selectbox)(label, options, key=widget_key, on_change=remember, **widget_args)
    st.session_state[f"chosen_{key}"] = chosen
    st.query_params[key] = chosen
    return chosen
