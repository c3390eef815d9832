"""Field reports (phản ánh hiện trường): categories with SLA, triage workflow, moderation, public map, stats."""
