"""Private files (case documents, meeting packets) in an S3-compatible object store, never public.

``settings.STORAGES["private"]`` is a folder on the machine by default; with ``PORTAL_PRIVATE_STORAGE_URL`` set to
``s3://bucket/prefix`` it is this storage (``portal.env.env_private_storage`` builds its options from the
environment). Every instance of the portal then reads and writes the same files, so a packet built by the worker on
one machine downloads from any other.

A file leaves the store only through the portal's views, which check the reader's permissions and audit the
disclosure, and stream the bytes themselves. So this storage fixes what must not depend on a setting:

- no ACL is sent with an object (it takes the bucket's, which must block public access; buckets that refuse ACLs
  accept this), never ``public-read``;
- a name already taken is never overwritten (another upload gets another name, as on the file system);
- a file read for a download is held in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MiB) and spooled to a
  temporary file beyond, as uploads are (django-storages' default keeps the whole object in memory);
- ``url()`` refuses: a link to the bucket, even a signed one, would hand a victim's file to whoever holds the link,
  with no permission check and no audit row.
"""

from typing import Any

from django.conf import settings
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        return {
            **defaults,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "max_memory_size": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
        }

    def __init__(self, **settings: Any) -> None:
        # The safe values above win over any OPTIONS too: they are rules of the portal, not choices of a deployment.
        for name in ("default_acl", "querystring_auth", "file_overwrite", "custom_domain"):
            settings.pop(name, None)
        super().__init__(**settings)

    def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NotImplementedError("Private files are served only through the portal's permission-checked views.")
