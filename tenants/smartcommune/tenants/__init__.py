"""Tenancy kernel: commune registry, per-commune schemas and roles, migrations, policies."""
