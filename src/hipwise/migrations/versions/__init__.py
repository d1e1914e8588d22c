"""Migration revisions, oldest first: 0001 (core tables), 0002 (self-reports, programme events)."""
