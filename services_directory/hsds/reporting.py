"""An import report as lines of text, for the command line and the admin page alike."""

from services_directory.hsds.importing import ImportReport


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"{table}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
        for table, c in sorted(report.counts.items())
        if c.created or c.updated or c.unchanged
    ]
    if not report.changed:
        lines.append("Nothing changed: the directory already held this data.")
    if report.unmapped_terms:
        lines.append(f"{len(report.unmapped_terms)} taxonomy term(s) not mapped to a need category yet:")
        lines.extend(
            f"  {term.taxonomy or term.taxonomy_id or '?'}: {term.code} {term.name}" for term in report.unmapped_terms
        )
    lines.extend(report.notes)
    return lines
