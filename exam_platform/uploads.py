"""Every upload is bounded: a file larger than ``MAX_UPLOAD_BYTES`` stops being read the moment it passes the bound,
and a request that declares a larger body is not read at all, so no upload fills the disk or holds a request lane for
long. Each form then applies its own, smaller limit (courses/uploads.py, exams/marking/forms.py) and says so. The
reverse proxy's own body limit (docs/operations.md) stops larger bodies before they reach the application."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class BoundedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: stops reading a file once it passes the bound, or at once when the request
    declared a larger body (the form then sees no file and says what the limit is)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Raising here would escape Django's parser (a server error): the first chunk stops the upload instead.
        self.declared_too_large = bool(content_length and content_length > settings.MAX_UPLOAD_BYTES + 1024 * 1024)
        return None

    def receive_data_chunk(self, raw_data, start):
        if getattr(self, "declared_too_large", False) or start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
