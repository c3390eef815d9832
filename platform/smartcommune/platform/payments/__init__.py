"""Payments received by a commune: bank-transfer webhooks (SePay, payOS), reconciliation against invoices."""
