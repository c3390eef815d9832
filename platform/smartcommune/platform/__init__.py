"""Commune features: one package per domain. Never imports smartcommune.provisioning."""
