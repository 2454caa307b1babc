"""Demo data of deconfliction for ``manage.py seed_demo`` (one line per half)."""

import random

from django.core.management.base import OutputWrapper

from deconfliction.subjects import demo as subjects_demo


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    subjects_demo.seed(rng=rng, stdout=stdout)
