"""Two alembic environments: `control` (the catalog) and `tenant` (every commune schema)."""
