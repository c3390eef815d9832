"""The demo communes of `smartcommune demo` / `make run`: onboarded by a provisioning run, then given life."""
