"""Settings read from the environment, with clear messages for bad values.

Start-up stops with ``ImproperlyConfigured`` naming the variable when a value cannot be used, so that a typo in
a deployment is found at boot and not by a victim's advocate at 2 a.m.
"""

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {', '.join(sorted(_TRUE | (_FALSE - {''})))}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/Kubernetes secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {error.strerror}.") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} is empty.")
    return value or None


_ENCRYPTION = {"AES256": {"ServerSideEncryption": "AES256"}, "aws:kms": {"ServerSideEncryption": "aws:kms"}, "none": {}}


def env_private_storage(local_root: Path) -> dict[str, Any]:
    """``STORAGES["private"]``: the folder ``local_root`` unless ``PORTAL_PRIVATE_STORAGE_URL`` names an object store.

    ``s3://bucket/prefix`` (the prefix is optional) chooses ``portal.storage.PrivateS3Storage``. The endpoint of an
    S3-compatible store that is not AWS comes from ``AWS_S3_ENDPOINT_URL``, the region from ``AWS_S3_REGION_NAME``
    (else boto3's ``AWS_DEFAULT_REGION``), the credentials from boto3's own chain (``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, an instance or task role), or the secret key from
    ``AWS_SECRET_ACCESS_KEY_FILE``. Objects are encrypted at rest by the store: ``PORTAL_PRIVATE_STORAGE_ENCRYPTION``
    is ``AES256`` (the default), ``aws:kms`` (with ``PORTAL_PRIVATE_STORAGE_KMS_KEY_ID``, or the account's key) or
    ``none`` for a store that encrypts its disks itself and refuses the header.
    """
    url = env_str("PORTAL_PRIVATE_STORAGE_URL").strip()
    if not url:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": local_root, "base_url": None},
        }
    scheme, _, rest = url.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme != "s3" or not bucket:
        raise ImproperlyConfigured(
            f"PORTAL_PRIVATE_STORAGE_URL={url!r}: use s3://bucket or s3://bucket/prefix, or leave it unset for the "
            "folder PORTAL_PRIVATE_MEDIA_ROOT."
        )
    if os.environ.get("PORTAL_PRIVATE_MEDIA_ROOT"):
        raise ImproperlyConfigured(
            "Set either PORTAL_PRIVATE_STORAGE_URL (object storage) or PORTAL_PRIVATE_MEDIA_ROOT (a folder), not both."
        )
    encryption = env_str("PORTAL_PRIVATE_STORAGE_ENCRYPTION", "AES256")
    if encryption not in _ENCRYPTION:
        raise ImproperlyConfigured(
            f"PORTAL_PRIVATE_STORAGE_ENCRYPTION={encryption!r}: use one of {', '.join(_ENCRYPTION)}."
        )
    object_parameters = dict(_ENCRYPTION[encryption])
    if kms_key := env_str("PORTAL_PRIVATE_STORAGE_KMS_KEY_ID"):
        if encryption != "aws:kms":
            raise ImproperlyConfigured(
                "PORTAL_PRIVATE_STORAGE_KMS_KEY_ID needs PORTAL_PRIVATE_STORAGE_ENCRYPTION=aws:kms."
            )
        object_parameters["SSEKMSKeyId"] = kms_key
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "object_parameters": object_parameters,
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
    }
    if os.environ.get("AWS_SECRET_ACCESS_KEY_FILE"):
        access_key = env_str("AWS_ACCESS_KEY_ID")
        if not access_key:
            raise ImproperlyConfigured("AWS_SECRET_ACCESS_KEY_FILE needs AWS_ACCESS_KEY_ID.")
        options |= {"access_key": access_key, "secret_key": env_secret("AWS_SECRET_ACCESS_KEY")}
    return {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": options}
