"""Background work: the Celery app factory, the after-commit outbox and platform-level tasks."""
