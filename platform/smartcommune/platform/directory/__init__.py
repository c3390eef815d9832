"""Contacts (officials, hotlines) and the digital library with diacritics-insensitive full-text search."""
