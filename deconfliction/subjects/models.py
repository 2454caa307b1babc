"""Subject deconfliction's records (decision 0030): the index of keyed digests, the conflicts it finds, and the
notices that tell each side.

An entry holds no identifier, only its digest and a pointer to whom to call. Its source (a case participant or a
tip subject, and its case or tip) is internal: it lets the index be rebuilt and emptied, and is never shown.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForce
from deconfliction.subjects.normalise import Kind

__all__ = ["SubjectConflict", "SubjectEntry", "SubjectNotice"]


class Source(models.TextChoices):
    PARTICIPANT = "participant", _("case participant")
    TIP_SUBJECT = "tip_subject", _("tip subject")
    CHECK = "check", _("check")


class SubjectEntry(models.Model):
    """One identifier of one subject, as a digest under one task force's key."""

    Kind = Kind
    Source = Source

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_on = models.DateField(default=timezone.localdate)
    renew_on = models.DateField()
    # A provider's client: the last day their consent naming deconfliction is active. Past it the entry matches
    # nothing, even before the daily run deletes it. Empty for law enforcement's entries.
    valid_until = models.DateField(null=True, blank=True)
    # A provider's client: to whom their consents naming deconfliction release a match, {agency id: last day}. Only
    # those agencies are told that the provider holds a matching client (VAWA: a named recipient); the provider is
    # told of any law-enforcement match. Null for law enforcement's entries, whose matches anyone in the task force
    # may learn of.
    released_to = models.JSONField(null=True, blank=True)
    # Internal: what the entry stands for, to rebuild and delete it. Never shown, never compared across agencies.
    source = models.CharField(max_length=12, choices=[c for c in Source.choices if c[0] != Source.CHECK])
    source_id = models.PositiveBigIntegerField()
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    tip_id = models.PositiveBigIntegerField(null=True, blank=True)
    person_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("deconfliction entry")
        verbose_name_plural = _("deconfliction entries")
        indexes = [
            models.Index(fields=["task_force", "digest"], name="subject_entry_digest_idx"),
            models.Index(fields=["source", "source_id"], name="subject_entry_source_idx"),
            models.Index(fields=["case_id"], name="subject_entry_case_idx"),
            models.Index(fields=["tip_id"], name="subject_entry_tip_idx"),
            models.Index(fields=["person_id"], name="subject_entry_person_idx"),
            models.Index(fields=["renew_on"], name="subject_entry_renew_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "key_id", "digest", "source", "source_id"], name="subject_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Deconfliction entry #{self.pk}"  # never the digest's meaning: there is none to give


class SubjectConflict(models.Model):
    """Two sides hold a subject with the same identifiers: each is told whom to call on the other, nothing more.

    Side ``b`` is told; side ``a`` too unless ``one_sided``. Usually ``a`` held the entry first and ``b`` wrote the
    matching entry or checked. A conflict is ``one_sided`` when one side may not learn of the other: a victim service
    provider checked a client who is not in the index (no consent), or a provider's client matched an agency their
    consents do not name. Only the provider, side ``b``, is told, and the conflict is theirs alone (no coordinator
    sees it) until a consent names the other side, which is then told and the conflict becomes two-sided."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        SEPARATE = "separate", _("Proceed separately")
        JOINT = "joint", _("Work jointly")
        DEFER = "defer", _("One side defers")
        NOT_SAME = "not_same", _("Not the same person")

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="+")
    kinds = models.JSONField(default=list)
    a_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    a_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    a_key = models.CharField(max_length=40)  # internal: "participant:12", never shown
    b_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    b_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    b_key = models.CharField(max_length=40)
    one_sided = models.BooleanField(default=False)
    found_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("subject conflict")
        verbose_name_plural = _("subject conflicts")
        indexes = [
            models.Index(fields=["a_agency", "-found_at"], name="subject_conflict_a_idx"),
            models.Index(fields=["b_agency", "-found_at"], name="subject_conflict_b_idx"),
            models.Index(fields=["task_force", "status"], name="subject_conflict_watch_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["a_key", "b_key"], name="subject_conflict_pair_unique"),
            models.CheckConstraint(condition=~Q(a_agency=models.F("b_agency")), name="subject_conflict_two_agencies"),
        ]

    def __str__(self) -> str:
        return f"Subject conflict #{self.pk}"

    @property
    def kind_labels(self) -> list[str]:
        return [str(Kind(code).label) for code in self.kinds if code in Kind.values]


class SubjectNotice(models.Model):
    """A conflict told to one person: in the portal (the conflicts page) and by e-mail (``tasks``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conflict = models.ForeignKey(SubjectConflict, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="subject_notice_unread_idx")]

    def __str__(self) -> str:
        return f"Subject notice #{self.pk}"
