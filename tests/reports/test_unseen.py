"""A chart whose records the viewer's role never reads says so instead of drawing zeros (``Chart.unseen``): a zero
would read as "none happened", where the truth is "none of them is counted for you"."""

import pytest

from reports import sections
from tests.reports.helpers import scope_for

DASHBOARD = "/reports/"
UNSEEN = "Records of this kind are not among those you may see"

# (who, chart, unseen): a coordinator's role reads neither a victim's immigration relief (8 U.S.C. 1367) nor the
# law-enforcement part of a case; every other reader's role reads what each chart counts (an NGO's advocate reads the
# law-enforcement part of none of its cases, as its shares never give it, but its role would: zero, not unseen).
RELIEF = ["protection.relief_pending", "protection.relief_expiring"]
PROSECUTION = [
    "prosecution.arrests_by_month",
    "prosecution.charges_by_statute",
    "prosecution.charging_decisions",
    "prosecution.dispositions",
]
UNSEEN_BY = {"coordinator": {*RELIEF, *PROSECUTION}}
READERS = ["investigator", "supervisor", "partner_investigator", "advocate", "shelter_supervisor", "coordinator"]
TABLE = [
    (who, spec.key, spec.key in UNSEEN_BY.get(who, set()))
    for who in READERS
    for section in sections.SECTIONS
    for spec in section.charts
]


@pytest.mark.parametrize(("who", "key", "unseen"), TABLE)
def test_a_chart_is_unseen_only_where_the_role_reads_none_of_it(request, world, who, key, unseen):
    user = request.getfixturevalue(who)
    spec = sections.chart_spec(key)
    assert spec is not None
    assert sections.build_chart(spec, scope_for(user)).unseen is unseen


def test_the_page_says_so_and_draws_no_table_for_an_unseen_chart(world, client_as, coordinator):
    page = client_as(coordinator).get(DASHBOARD, {"quarter": "FY2027-Q1"})
    assert page.status_code == 200
    charts = {chart.key: chart for section in page.context["sections"] for chart in section.charts}
    assert charts["prosecution.arrests_by_month"].unseen
    html = page.content.decode()
    arrests = html[html.index('id="chart-prosecution-arrests-by-month"') :]
    arrests = arrests[: arrests.index("</h3>") + 600]
    assert UNSEEN in arrests
    assert "<table" not in arrests
    assert html.count(UNSEEN) == sum(chart.unseen for chart in charts.values())


def test_an_unseen_chart_has_no_download(world, client_as, coordinator, investigator):
    asked = {"quarter": "FY2027-Q1", "format": "csv", "chart": "prosecution.arrests_by_month"}
    assert client_as(coordinator).get(DASHBOARD, asked).status_code == 404
    assert client_as(investigator).get(DASHBOARD, asked).status_code == 200
