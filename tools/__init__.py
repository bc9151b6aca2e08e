"""Tools that serve the project rather than its users: the benchmark (`python -m tools.bench`)
and the builder of the default slide template (`python -m tools.make_template`). They live outside
the library `metrics/`, so the library's rules (streamlit only in metrics.ui, the database engine
only in metrics.store) hold there without exemption; a tool may use either to measure or build."""
