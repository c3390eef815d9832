"""Insight: dashboard statistics, smart-commune criteria with targets and monthly snapshots, map layers."""
