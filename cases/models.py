"""Models arrive with their issue (see the issue tracker)."""
