"""Announcements: compose, schedule, target, fan out to inboxes and channels, track every delivery."""
