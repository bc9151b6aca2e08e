"""The Streamlit layer: the only part of metrics that imports streamlit."""
