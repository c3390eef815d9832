"""Subscription billing of communes by the national provider, through Stripe (control plane)."""
