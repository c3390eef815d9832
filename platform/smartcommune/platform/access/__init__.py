"""A commune's users, roles and role assignments, managed by its own admins."""
