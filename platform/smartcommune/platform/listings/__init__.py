"""Listings: agricultural services, tourism, specialty products; bookings and orders; Stripe Checkout."""
