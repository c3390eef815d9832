"""Provisioning: onboarding communes one, a province, or the whole country at a time; owns the provider API."""
