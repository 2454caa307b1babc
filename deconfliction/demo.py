"""Demo data of both halves for ``manage.py seed_demo`` (each half's own ``demo.py``)."""

import random

from django.core.management.base import OutputWrapper

from deconfliction.operations import demo as operations_demo
from deconfliction.subjects import demo as subjects_demo


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    subjects_demo.seed(rng=rng, stdout=stdout)
    operations_demo.seed(rng=rng, stdout=stdout)
