"""The service directory: Open Referral HSDS 3.0 tables (``services_directory/hsds/schema/``), plus the portal's own
capacity,
structured eligibility, confidential locations and the link from a provider organization to a portal agency
(docs/architecture.md §6).

Each HSDS table that the portal searches or shows is a model whose primary key is the HSDS id and whose fields
carry the HSDS column names, so that ``hsds.py`` maps rows to models by name. Links that HSDS files often leave
dangling (a location's organization, a contact's owners, a term's parent) are plain UUID columns named as in HSDS;
links the portal follows are foreign keys, and an import refuses a file whose such link points nowhere. HSDS tables
the portal only passes on (programs, funding, cost options, ...) are kept whole as ``HsdsRecord`` rows.

Writes go through ``services.py``; reads that depend on who asks, through ``selectors.py``.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from portal.categories import NeedCategory
from portal.models import TimeStampedModel


class HsdsModel(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Taxonomy(HsdsModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsModel):
    """A term of a taxonomy. ``category`` is the portal's reading of it: set on import for the terms the portal
    recognises (``taxonomies.py``), and by an administrator for the others, which stay "unmapped" until then."""

    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    parent_id = models.UUIDField(_("parent term"), null=True, blank=True)
    taxonomy = models.CharField(_("taxonomy name"), max_length=200, blank=True)
    taxonomy_id = models.UUIDField(_("taxonomy"), null=True, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    term_uri = models.URLField(_("term URI"), max_length=500, blank=True)
    category = models.CharField(
        _("need category"), max_length=25, choices=NeedCategory.choices, blank=True, db_index=True
    )

    class Meta:
        ordering = ["taxonomy", "code", "name"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self) -> str:
        return f"{self.taxonomy or '?'}: {self.code or self.name}"


class Organization(HsdsModel):
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    tax_status = models.CharField(_("tax status"), max_length=100, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=100, blank=True)
    year_incorporated = models.IntegerField(_("year incorporated"), null=True, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    logo = models.CharField(_("logo"), max_length=500, blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    parent_organization_id = models.UUIDField(_("parent organization"), null=True, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("portal agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_organizations",
        help_text=_("Its provider staff keep the listings current and receive referrals in the portal."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Service(HsdsModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class Capacity(models.TextChoices):
        AVAILABLE = "available", _("Available")
        WAITLIST = "waitlist", _("Waitlist")
        FULL = "full", _("Full")
        UNKNOWN = "unknown", _("Not reported")

    class Gender(models.TextChoices):
        """One letter each, so that ``genders_served`` is a short string a plain ``contains`` can search."""

        FEMALE = "F", _("Women and girls")
        MALE = "M", _("Men and boys")
        OTHER = "X", _("Transgender and non-binary people")

    # HSDS columns
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    program_id = models.UUIDField(_("program"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=200, blank=True)
    fees = models.TextField(_("fees (deprecated)"), blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    eligibility_description = models.TextField(_("eligibility"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    assured_date = models.DateField(_("assured on"), null=True, blank=True)
    assurer_email = models.EmailField(_("assurer e-mail"), blank=True)
    licenses = models.TextField(_("licenses"), blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)

    # The portal's own: capacity today ...
    capacity = models.CharField(_("capacity"), max_length=10, choices=Capacity.choices, default=Capacity.UNKNOWN)
    capacity_count = models.PositiveIntegerField(
        _("places or slots open"), null=True, blank=True, help_text=_("Leave empty if you do not count.")
    )
    capacity_updated_at = models.DateTimeField(_("capacity updated"), null=True, blank=True)
    capacity_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # ... and structured eligibility (None: the provider has not said).
    genders_served = models.CharField(
        _("genders served"), max_length=3, blank=True, help_text=_("Letters of Gender; empty: everyone.")
    )
    accepts_minors = models.BooleanField(_("accepts minors"), null=True, blank=True)
    accepts_without_status = models.BooleanField(_("accepts people without immigration status"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["status", "capacity"], name="directory_service_status_cap")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered now: an inactive service stays in the directory (referrals point at it) but is marked so."""
        return self.status == self.Status.ACTIVE

    @property
    def capacity_is_stale(self) -> bool:
        """A capacity nobody confirmed for ``PORTAL_CAPACITY_STALE_AFTER`` is shown as such (and ranks lower)."""
        if self.capacity == self.Capacity.UNKNOWN:
            return False
        updated = self.capacity_updated_at
        return updated is None or timezone.now() - updated > settings.PORTAL_CAPACITY_STALE_AFTER


class Location(HsdsModel):
    # What a confidential location withholds beyond its addresses: never exported, and never blanked by an import
    # that lacks them (the portal's own export, re-imported, must not erase the point distance search needs).
    WITHHELD_WHEN_CONFIDENTIAL = (
        "url",
        "alternate_name",
        "latitude",
        "longitude",
        "description",
        "transportation",
        "external_identifier",
        "external_identifier_type",
    )

    class Type(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    location_type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.PHYSICAL)
    url = models.URLField(_("website"), max_length=500, blank=True)
    organization_id = models.UUIDField(_("organization"), null=True, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("transportation"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    external_identifier = models.CharField(_("external identifier"), max_length=100, blank=True)
    external_identifier_type = models.CharField(_("external identifier type"), max_length=100, blank=True)
    is_confidential = models.BooleanField(
        _("confidential location"),
        default=False,
        help_text=_(
            "The address and coordinates are shown only to the provider's agency and its task forces, "
            "and never exported. Distance search still works."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_location_point")]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(HsdsModel):
    class Type(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(_("attention"), max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = models.CharField(_("address line 2"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    state_province = models.CharField(_("state"), max_length=100)
    postal_code = models.CharField(_("ZIP code"), max_length=20)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(_("type"), max_length=10, choices=Type.choices)

    class Meta:
        ordering = ["address_type", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class ServiceAtLocation(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Contact(HsdsModel):
    organization_id = models.UUIDField(null=True, blank=True, db_index=True)
    service_id = models.UUIDField(null=True, blank=True, db_index=True)
    service_at_location_id = models.UUIDField(null=True, blank=True, db_index=True)
    location_id = models.UUIDField(null=True, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(HsdsModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact_id = models.UUIDField(null=True, blank=True, db_index=True)
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=50)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Language(HsdsModel):
    """A language a service (or location, or phone line) works in; ``code`` is ISO 639 (``languages.py``)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    name = models.CharField(_("name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=10, blank=True, db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name or self.code


class Schedule(HsdsModel):
    """Opening hours in the iCalendar-like form of HSDS. "Open now" reads weekly schedules (``selectors.py``)."""

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    class Weekday(models.TextChoices):
        MO = "MO", _("Monday")
        TU = "TU", _("Tuesday")
        WE = "WE", _("Wednesday")
        TH = "TH", _("Thursday")
        FR = "FR", _("Friday")
        SA = "SA", _("Saturday")
        SU = "SU", _("Sunday")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("first day"), null=True, blank=True)
    timezone = models.FloatField(_("UTC offset (hours)"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    wkst = models.CharField(_("week starts"), max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True, help_text=_("e.g. MO,TU,WE"))
    byweekno = models.CharField(_("weeks of the year"), max_length=200, blank=True)
    bymonthday = models.CharField(_("days of the month"), max_length=200, blank=True)
    byyearday = models.CharField(_("days of the year"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.URLField(_("schedule link"), max_length=500, blank=True)
    attending_type = models.CharField(_("attending"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.byday or self.freq} {self.opens_at}-{self.closes_at}"


class ServiceArea(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="service_areas")
    name = models.TextField(_("name"), blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(_("extent type"), max_length=50, blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name[:60] or str(self.id)


class Attribute(HsdsModel):
    """A taxonomy term attached to any HSDS row (``link_id``): how a service says what it offers."""

    link_id = models.UUIDField(db_index=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="attributes"
    )
    link_type = models.CharField(max_length=100, blank=True)
    link_entity = models.CharField(max_length=100, blank=True)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term_id}"


class HsdsRecord(models.Model):
    """A row of an HSDS table the portal passes on without using it (programs, funding, cost options, required
    documents, accessibility, organization identifiers, metadata): kept whole so that export gives it back."""

    table = models.CharField(max_length=40)
    id = models.UUIDField(primary_key=True)
    owner_id = models.UUIDField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["table", "id"]
        verbose_name = _("other HSDS record")
        verbose_name_plural = _("other HSDS records")

    def __str__(self) -> str:
        return f"{self.table} {self.id}"


class ApiToken(TimeStampedModel):
    """A key with which a partner system calls the portal for an agency: a partner directory reads the HSDS API, a
    hotline's case system or an airline's reporting sends tips (docs/decisions/0027-tips-api.md). Each key does one
    of these (its ``scope``), and each API refuses a key of the other. Only a hash is stored; the key is shown once,
    when an agency admin issues it."""

    class Scope(models.TextChoices):
        DIRECTORY = "directory", _("Read the service directory (the HSDS API)")
        TIPS = "tips", _("Send tips to the agency's holding bin (the tips API)")

    # What a key starts with, by scope: a partner (and a secret scanner) tells the keys apart.
    KEY_LABELS = {Scope.DIRECTORY: "hsds_", Scope.TIPS: "tips_"}

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses it, e.g. the 211 regional directory."))
    scope = models.CharField(_("what it may do"), max_length=10, choices=Scope.choices, default=Scope.DIRECTORY)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def key_label(self) -> str:
        return self.KEY_LABELS[self.Scope(self.scope)]

    def allows(self, scope: str) -> bool:
        """Whether this key may be used for ``scope`` (an active key of that scope)."""
        return self.is_active and self.scope == scope
