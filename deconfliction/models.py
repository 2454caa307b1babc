"""The models of both halves, each defined in its own package (Django finds models through this module)."""

from deconfliction.operations.models import *  # noqa: F403
from deconfliction.subjects.models import *  # noqa: F403
