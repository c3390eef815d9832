"""The commune operations centre: one cheap overview call for a dashboard, and a stream of changes."""
