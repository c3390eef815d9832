"""Provisioning runs: one commune's onboarding as recorded, idempotent, resumable steps."""
