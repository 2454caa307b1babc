"""An administrator's authenticator reset is remembered on the account: a new authenticator then needs the one-time
link e-mailed with the reset (docs/decisions/0006). Accounts reset before this change that have not enrolled again
are marked from the audit trail, so that the password alone does not let anyone enrol for them."""

from django.db import migrations, models

SECOND_FACTOR_TYPES = ("totp", "webauthn")


def mark_pending_resets(apps, schema_editor):
    User = apps.get_model("agencies", "User")
    Authenticator = apps.get_model("mfa", "Authenticator")
    AuditEvent = apps.get_model("portal", "AuditEvent")
    resets = AuditEvent.objects.filter(action="auth.mfa.reset_by_admin", object_type="agencies.user").order_by(
        "occurred_at"
    )
    latest = {event.object_id: event.occurred_at for event in resets.only("object_id", "occurred_at")}
    enrolled = set(
        Authenticator.objects.filter(type__in=SECOND_FACTOR_TYPES).values_list("user_id", flat=True).distinct()
    )
    for user in User.objects.filter(pk__in=[int(pk) for pk in latest if pk.isdigit()]).exclude(pk__in=enrolled):
        user.second_factors_reset_at = latest[str(user.pk)]
        user.save(update_fields=["second_factors_reset_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_invitation_status_transitions"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("portal", "0002_auditevent_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="second_factors_reset_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When an administrator last reset the authenticators: a new one needs the e-mailed link.",
                null=True,
                verbose_name="authenticator reset at",
            ),
        ),
        migrations.RunPython(mark_pending_resets, migrations.RunPython.noop),
    ]
