"""Agencies, task forces, people and their roles (docs/architecture.md §4.1-4.3), and invitations.

Writes go through ``agencies/services.py``: creating an agency creates its group, and a membership's role
decides its role group, so neither is set by hand.
"""

import hashlib
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in by e-mail. Accounts come only from invitations (or ``createsuperuser``)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_(
            "The language of this person's pages and e-mails, chosen in the header. Empty until they choose: the "
            "pages follow the browser and the e-mails are in English."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Deactivated accounts cannot sign in; their sessions end at once."),
    )
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("May use the Django admin."))
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    second_factors_reset_at = models.DateTimeField(
        _("authenticator reset at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When an administrator last reset the authenticators: a new one needs the e-mailed link."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def membership(self) -> "Membership | None":
        try:
            return self._membership
        except Membership.DoesNotExist:
            return None

    @property
    def agency(self) -> "Agency | None":
        return self.membership.agency if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None


class Agency(TimeStampedModel):
    class Kind(models.TextChoices):
        FEDERAL_LE = "federal_le", _("Federal law enforcement")
        STATE_LE = "state_le", _("State law enforcement")
        LOCAL_LE = "local_le", _("Local law enforcement")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        VICTIM_SERVICES = "victim_services", _("Victim service provider (VAWA-bound)")
        OTHER_GOVERNMENT = "other_government", _("Other government (labor, health and human services)")
        COORDINATION = "coordination", _("Task-force coordination")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Southern District of Texas; Harris County"),
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    group = models.OneToOneField(
        Group,
        verbose_name=_("members' group"),
        on_delete=models.PROTECT,
        related_name="agency",
        editable=False,
        help_text=_("Object permissions shared with the agency are granted to this group."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_law_enforcement(self) -> bool:
        return self.kind in {
            self.Kind.FEDERAL_LE,
            self.Kind.STATE_LE,
            self.Kind.LOCAL_LE,
            self.Kind.PROSECUTOR,
        }

    @property
    def is_victim_service_provider(self) -> bool:
        return self.kind == self.Kind.VICTIM_SERVICES


class TaskForce(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    agencies = models.ManyToManyField(
        Agency, through="TaskForceMember", related_name="task_forces", verbose_name=_("member agencies")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return self.name


class TaskForceMember(models.Model):
    """An agency's membership of a task force, under a signed memorandum of understanding."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="task_force_memberships")
    mou_signed_on = models.DateField(_("MOU signed on"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("task-force member agency")
        verbose_name_plural = _("task-force member agencies")
        constraints = [models.UniqueConstraint(fields=["task_force", "agency"], name="taskforce_agency_unique")]

    def __str__(self) -> str:
        return f"{self.agency} in {self.task_force}"


class Membership(TimeStampedModel):
    """Ties a person to their one agency with one role."""

    class Role(models.TextChoices):
        """What a person may do at all (docs/architecture.md §4.3); the permissions of each role are in
        ``agencies/roles.py``."""

        CASEWORKER = "caseworker", _("Caseworker (investigator or advocate)")
        SUPERVISOR = "supervisor", _("Supervisor")
        AGENCY_ADMIN = "agency_admin", _("Agency administrator")
        COORDINATOR = "coordinator", _("Task-force coordinator")
        INTAKE = "intake", _("Intake (tips)")
        PROVIDER_STAFF = "provider_staff", _("Service provider staff")
        AUDITOR = "auditor", _("Auditor")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="_membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["agency", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        permissions = [
            (
                "manage_agency_people",
                _("Can invite, change roles of, deactivate and unlock the agency's people"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"


Role = Membership.Role  # the roles are used across the app; this is the short name


class Invitation(FSMModelMixin, TimeStampedModel):
    """A one-time, expiring link that lets a person create their account in a given agency and role.

    Only the SHA-256 of the token is stored; the token itself exists only in the e-mail. Expiry is not a status:
    a pending invitation past ``expires_at`` simply cannot be used.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, protected=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "agency",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_address_and_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.agency}"

    @transition(field=status, source=Status.PENDING, target=Status.ACCEPTED)
    def accept(self) -> None:
        self.accepted_at = timezone.now()

    @transition(field=status, source=Status.PENDING, target=Status.REVOKED)
    def revoke(self) -> None:
        self.revoked_at = timezone.now()

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()
