"""Surveys: a question builder, targeting, one response per resident, aggregated results and CSV export."""
