"""Signing in as a person does it: the system-use notice, password, authenticator code, enrolment, signing out;
and the pages an agency administrator works in. Every page on the way passes axe-core's WCAG 2.1 AA rules."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from agencies.models import User
from tests.browser.conftest import check_axe
from tests.factories import PASSWORD, UserFactory, totp_code

SIGN_IN_URL = re.compile(r"/accounts/login/(\?.*)?$")
MFA_URL = re.compile(r"/accounts/2fa/authenticate/$")
ENROL_URL = re.compile(r"/accounts/2fa/totp/activate/$")
HOME_URL = re.compile(r"/$")
NOTICE = "I have read and accept the system-use notice."


def submit_password(page: Page, user: User, *, acknowledge: bool = True) -> None:
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    if acknowledge:
        # USWDS draws its own box over the visually hidden input: a person clicks the label.
        page.get_by_text(NOTICE).click()
        expect(page.get_by_label(NOTICE)).to_be_checked()
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    submit_password(page, user)
    expect(page).to_have_url(MFA_URL)
    page.get_by_label("Code").fill(totp_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(HOME_URL)


def test_a_person_signs_in_with_password_and_code_and_signs_out(page: Page, investigator):
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="System-use notice")).to_be_visible()
    check_axe(page, "sign-in")

    submit_password(page, investigator)
    expect(page).to_have_url(MFA_URL)
    check_axe(page, "mfa-authenticate")

    page.get_by_label("Code").fill(totp_code(investigator))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ivy")
    agency_card = page.get_by_role("region", name="Your agency and role")
    expect(agency_card).to_contain_text("Federal Field Office")
    expect(agency_card).to_contain_text("Caseworker (investigator or advocate)")
    check_axe(page, "home")

    # Who is signed in, and the way out, sit inside the header (not over the handling banner above it).
    header = page.get_by_role("banner")
    sign_out = header.get_by_role("button", name="Sign out")
    expect(header.get_by_text("Ivy Investigator")).to_be_visible()
    header_box, button_box = header.bounding_box(), sign_out.bounding_box()
    assert header_box is not None
    assert button_box is not None
    assert button_box["y"] >= header_box["y"], (header_box, button_box)

    sign_out.click()
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)


def test_the_browser_enforces_the_content_security_policy(page: Page, console_errors: list[str]):
    """The other tests pass without console errors because the pages honour the policy, not because none is sent:
    a script without the page's nonce is refused, and the refusal is reported."""
    page.goto("/accounts/login/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.append(script);
            }"""
        )
    assert page.evaluate("window.injected") is None
    assert len(console_errors) == 1, console_errors
    console_errors.clear()


def test_a_person_who_does_not_accept_the_notice_is_not_signed_in(page: Page, investigator):
    page.goto("/accounts/login/")
    submit_password(page, investigator, acknowledge=False)

    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_text("You must accept the system-use notice to sign in.")).to_be_visible()
    expect(page.get_by_label(NOTICE)).not_to_be_checked()
    check_axe(page, "sign-in-errors")
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)


def test_a_person_without_an_authenticator_must_enrol_one_before_anything_else(page: Page, lead_agency):
    newcomer = UserFactory(agency=lead_agency, mfa=False, full_name="Nell Newcomer")
    page.goto("/accounts/login/")
    submit_password(page, newcomer)
    expect(page).to_have_url(ENROL_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    check_axe(page, "mfa-enrol")

    page.goto("/")
    expect(page).to_have_url(ENROL_URL)

    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Activate").click()

    # The recovery codes come next, without asking for the password that was typed a minute ago
    # (agencies.auth.AccountAdapter.is_reauthentication_required).
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    check_axe(page, "mfa-recovery-codes")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nell")


def test_an_agency_admin_manages_people_on_accessible_pages(page: Page, agency_admin, investigator):
    sign_in(page, agency_admin)

    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="People").click()
    expect(page).to_have_url(re.compile(r"/agency/people/$"))
    people = page.get_by_role("table", name="People in the agencies you manage")
    ivy = people.get_by_role("row", name=re.compile("Ivy Investigator"))
    expect(ivy).to_be_visible()
    # The visible verb starts each action's name and the person's name follows it (WCAG 2.5.3, label in name).
    expect(ivy.get_by_role("link", name=re.compile(r"^Change role\W+Ivy Investigator$"))).to_be_visible()
    expect(ivy.get_by_role("button", name=re.compile(r"^Deactivate\W+Ivy Investigator$"))).to_be_visible()
    check_axe(page, "people")

    page.get_by_role("link", name="Invite a person").click()
    expect(page).to_have_url(re.compile(r"/agency/people/invite/$"))
    check_axe(page, "invite")

    page.get_by_role("button", name="Send the invitation").click()
    expect(page).to_have_url(re.compile(r"/agency/people/invite/$"))
    expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This field is required.")).to_have_count(2)
    check_axe(page, "invite-errors")


def test_the_auditor_reads_and_filters_the_audit_trail(page: Page, auditor, investigator):
    sign_in(page, auditor)
    page.get_by_role("navigation").get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="auditor@tfc.example").first).to_be_visible()
    check_axe(page, "audit-trail")

    page.get_by_label("Action", exact=True).fill("auth.login.succeeded")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_contain_text("match")
    for action in page.locator("tbody th code").all_inner_texts():
        assert action == "auth.login.succeeded"
    check_axe(page, "audit-trail-filtered")


def test_a_person_adds_a_security_key_and_signs_in_with_it(page: Page, investigator):
    """WebAuthn, with Chromium's virtual authenticator standing in for a hardware key."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(page, investigator)
    page.goto("/accounts/2fa/webauthn/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Security Key")
    check_axe(page, "webauthn-add")
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert investigator.authenticator_set.filter(type="webauthn").count() == 1
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    check_axe(page, "security")
    page.goto("/accounts/sessions/")
    check_axe(page, "sessions")

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    submit_password(page, investigator)
    expect(page).to_have_url(MFA_URL)
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ivy")
