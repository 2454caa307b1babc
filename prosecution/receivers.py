"""Keep the charges' trafficking mark right when a case moves between task forces (decision 0034).

``cases`` never imports this app; its ``case_update`` may set, change or clear ``Case.task_force``, and whether a
state statute is a trafficking statute depends on the task force's list. So every save of a case marks its charges
again, in the same transaction (a move and its marks land together): one query for a case without arrests, none for
a new case or a save that names its fields without the task force. Imported by the app's ``ready()``.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import Case
from prosecution import services


@receiver(post_save, sender=Case, dispatch_uid="prosecution_case_task_force_saved")
def case_task_force_saved(
    sender: type[Case],
    instance: Case,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if created or raw or (update_fields is not None and "task_force" not in update_fields):
        return  # no charges yet, a fixture being loaded, or the task force untouched
    services.case_charges_remark(case=instance)
