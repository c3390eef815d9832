"""Rollouts: many runs started together (a province, every official commune, a manifest)."""
