"""Fraud numbers from operator records and the potential victims they reached (issue 6).

Django-free: features (DuckDB SQL), call-graph features, LightGBM model, Chinese explanations,
potential victims, indicator proposals and the ``numbers`` CLI. See docs/numbers.md.
"""
