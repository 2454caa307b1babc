"""An empty filter form is rendered once per process and key (portal.forms.field_groups, issue 13): the HTML kept
must be exactly what rendering it again gives, follow what it is built from (language, a menu's choices), and
never hold what a person typed."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from agencies.models import TaskForceMember
from cases import selectors
from cases.filters import CaseFilter
from portal import forms as portal_forms
from referrals.filters import InboxFilter, ReferralFilter, ReferralHistoryFilter
from tests.factories import AgencyFactory

GRID = "grid-col-12"


@pytest.fixture(autouse=True)
def _nothing_kept():
    portal_forms._rendered.clear()
    yield
    portal_forms._rendered.clear()


def _case_filter(user, data=None) -> CaseFilter:
    request = RequestFactory().get("/cases/")
    request.user = user
    return CaseFilter(data, queryset=selectors.case_list_visible_to(user), request=request)


def _fresh(form) -> str:
    return "".join(f'<div class="{GRID}">{field.as_field_group()}</div>' for field in form)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_html_is_what_rendering_again_gives(investigator, language):
    with translation.override(language):
        first = portal_forms.field_groups(_case_filter(investigator).form, GRID)
        kept = portal_forms.field_groups(_case_filter(investigator).form, GRID)
        assert len(portal_forms._rendered) == 1  # the second came from the first
        assert kept == first == _fresh(_case_filter(investigator).form)


def test_each_language_has_its_own(investigator):
    with translation.override("en"):
        english = portal_forms.field_groups(_case_filter(investigator).form, GRID)
    with translation.override("es"):
        spanish = portal_forms.field_groups(_case_filter(investigator).form, GRID)
    assert "Any status" in english
    assert "Any status" not in spanish
    assert len(portal_forms._rendered) == 2


def test_a_new_choice_in_a_menu_shows_at_once(investigator, task_force):
    before = portal_forms.field_groups(_case_filter(investigator).form, GRID)
    newcomer = AgencyFactory(name="Harbor County Sheriff", short_name="HCS")
    TaskForceMember.objects.create(task_force=task_force, agency=newcomer)
    after = portal_forms.field_groups(_case_filter(investigator).form, GRID)
    option = f'<option value="{newcomer.pk}">HCS</option>'
    assert option not in before
    assert option in after
    assert after == _fresh(_case_filter(investigator).form)


def test_a_form_holding_data_is_rendered_each_time_and_never_kept(investigator):
    form = _case_filter(investigator, {"q": "Rivera"}).form
    html = portal_forms.field_groups(form, GRID)
    assert 'value="Rivera"' in html
    assert portal_forms._rendered == {}


def test_the_referral_lists_forms_are_kept_exactly_too(provider_staff, coordinator):
    from referrals import selectors as referral_selectors

    request = RequestFactory().get("/")
    for user, filterset_class, queryset, kwargs in (
        (provider_staff, InboxFilter, referral_selectors.referral_inbox_for(provider_staff), {}),
        (coordinator, ReferralHistoryFilter, referral_selectors.referral_history_for(coordinator), {}),
        (coordinator, ReferralFilter, referral_selectors.referral_list_visible_to(coordinator), {}),
    ):
        request.user = user

        def form(filterset_class=filterset_class, queryset=queryset, kwargs=kwargs):
            return filterset_class(None, queryset=queryset, request=request, **kwargs).form

        kept = portal_forms.field_groups(form(), GRID)
        assert portal_forms.field_groups(form(), GRID) == kept == _fresh(form())


def test_choices_set_for_the_request_make_their_own_html(coordinator):
    """The referral list offers "Proposed by a coordinator" only when there are proposals: its status menu is
    changed per request, and each version is kept under its own key."""
    from referrals import selectors as referral_selectors

    request = RequestFactory().get("/")
    request.user = coordinator
    queryset = referral_selectors.referral_list_visible_to(coordinator)
    without = portal_forms.field_groups(ReferralFilter(None, queryset=queryset, request=request).form, GRID)
    with_drafts = portal_forms.field_groups(
        ReferralFilter(None, queryset=queryset, request=request, offers_drafts=True).form, GRID
    )
    assert "Proposed by a coordinator" not in without
    assert "Proposed by a coordinator" in with_drafts
    assert len(portal_forms._rendered) == 2


def test_only_so_many_are_kept(investigator, monkeypatch):
    monkeypatch.setattr(portal_forms, "_RENDERED_MAX", 2)
    for classes in ("a", "b", "c"):
        portal_forms.field_groups(_case_filter(investigator).form, classes)
    assert len(portal_forms._rendered) == 2


def test_a_menu_is_written_as_djangos_own_template_writes_it():
    """portal/templates/django/forms/widgets/select.html writes each option itself (no include per option): the
    same markup as Django's, groups, selected options and option attributes included, but for the USWDS class and
    the blank lines Django's includes leave."""
    import re

    from django import forms
    from django.forms.renderers import DjangoTemplates

    class Form(forms.Form):
        one = forms.ChoiceField(choices=[("", "Any"), ("1", "A & B"), ("2", "C")], initial="1")
        many = forms.MultipleChoiceField(
            choices=[("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")],
            initial=["y", "z"],
            widget=forms.SelectMultiple(attrs={"data-test": "yes"}),
        )

    def normalised(html: str) -> str:
        return re.sub(r">\s+<", "><", html.replace(' class="usa-select"', ""))

    ours, djangos = Form(), Form(renderer=DjangoTemplates())
    for name in ("one", "many"):
        assert "<option" in str(ours[name])
        assert normalised(str(ours[name])) == normalised(str(djangos[name]))
