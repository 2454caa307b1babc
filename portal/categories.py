"""The need categories: what a victim needs (``cases.Need``) and what a directory service offers
(``services_directory``) are counted in the same words, so a need finds its services by value.

They live here because ``cases`` and ``services_directory`` may not import each other (docs/architecture.md §3).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedCategory(models.TextChoices):
    EMERGENCY_SHELTER = "emergency_shelter", _("Emergency shelter")
    TRANSITIONAL_HOUSING = "transitional_housing", _("Transitional housing")
    LEGAL_IMMIGRATION = "legal_immigration", _("Legal and immigration")
    MEDICAL = "medical", _("Medical")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    EMPLOYMENT = "employment", _("Employment and job training")
    EDUCATION = "education", _("Education")
    FOOD = "food", _("Food")
    CLOTHING = "clothing", _("Clothing")
    CHILD_CARE = "child_care", _("Child care")
    INTERPRETATION = "interpretation", _("Interpretation")
    CASE_MANAGEMENT = "case_management", _("Case management")
    OTHER = "other", _("Other")
