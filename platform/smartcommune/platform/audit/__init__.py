"""Reading a commune's audit log (writing it is the kernel's `smartcommune.tenants.audit.record`)."""
