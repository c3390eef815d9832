"""Commune templates: declarative YAML (package data), validated, composed base + overlays, applied as upgrades."""
