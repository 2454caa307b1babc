"""The quarterly report builder (issue 18, decision 0037): an agency's measures for a federal fiscal quarter
(``measures``), who reads and signs them (``access``), the records missing a field (``missing``) and the CSV and
PDF of a signed report (``exports``). Signing is ``reports.services.quarterly_report_sign``."""
