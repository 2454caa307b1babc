"""Signal receivers that keep this half current from cases and tips."""
