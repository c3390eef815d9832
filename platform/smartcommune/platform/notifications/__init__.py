"""Delivery channels (web push, SMS, Zalo ZNS) and the delivery outbox drain that uses them."""
