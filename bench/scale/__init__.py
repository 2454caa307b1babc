"""The scale benchmark of issue 13: realistic data at 20,000 and 500,000 cases, loaded once, timed side by side.

``generate.py`` writes the rows the services would write (in bulk), ``measure.py`` times the pages and queries in
processes of their own (one per database), ``__main__.py`` runs both and prints the table (bench/README.md).
"""
