"""Benchmarks (bench/README.md): scripts run by ``make bench`` and ``make bench-pdf``, and the ``scale`` package."""
