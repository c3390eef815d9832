"""Rollout manifests (CSV or YAML): one commune a row; bad rows reported by row number, good rows proceed."""
