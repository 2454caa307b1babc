"""Deconfliction: telling two agencies that they work the same subject or the same place, and nothing more
(issue 16; docs/decisions/0030 and 0031).

Two halves, each a package of its own: ``subjects`` (people, phones, plates... held only as keyed digests) and
``operations`` (planned operations that overlap in time and place). The app sits above ``cases`` and ``tips``: it
reads them through their selectors and their signals, and neither imports it.
"""
