"""Uploaded files of a commune (photos, attachments, documents): checked, cleaned, stored, served by domains."""
