import pytest

from reports.suppression import THRESHOLD, cell, figure


@pytest.mark.parametrize(
    ("total", "owned", "shown"),
    [
        (0, 0, "0"),  # nobody: nobody to point at
        (1, 0, "fewer than 5"),
        (4, 0, "fewer than 5"),
        (4, 3, "fewer than 5"),  # one of the four is another agency's
        (4, 4, "4"),  # all the viewer's agency's own
        (1, 1, "1"),
        (5, 0, "5"),
        (12, 0, "12"),
        (1234, 0, "1,234"),
        (None, None, "0"),
    ],
)
def test_a_small_cell_of_another_agencys_records_is_suppressed(total, owned, shown):
    assert cell(total, owned).text == shown


def test_a_suppressed_cell_keeps_no_number_and_draws_no_bar():
    suppressed = cell(3, 0)
    assert suppressed.value is None
    assert suppressed.suppressed
    assert suppressed.plotted == 0
    assert cell(7, 0).plotted == 7
    assert THRESHOLD == 5


def test_a_figure_is_written_as_given_and_never_plotted():
    rate = figure("80%")
    assert (rate.text, rate.plotted, rate.suppressed) == ("80%", 0, False)
