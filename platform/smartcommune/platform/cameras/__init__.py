"""Cameras of a commune: registry, probe, health, motion events and incidents, preview."""
