"""Command-line operations for provider staff: communes, fleet migration, users, the demo."""
