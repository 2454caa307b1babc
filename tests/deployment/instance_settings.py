"""The settings each gunicorn of ``test_two_instances.py`` runs: the production settings, read from the environment
as a deployment reads them, with one change for speed. The factories' passwords are hashed with MD5 (as in
``portal/settings_test.py``); production's PBKDF2 would take close to a second for each of the test's sign-ins."""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
