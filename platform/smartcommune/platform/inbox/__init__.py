"""Each user's in-app inbox: announcements, status changes of their reports and applications, alerts."""
