"""Every upload is bounded: a file larger than ``MAX_UPLOAD_BYTES`` stops being read the moment it passes the bound
(the request's declared length is checked first), so no upload fills the disk or holds a request lane for long.
Each form then applies its own, smaller limit (courses/uploads.py, exams/marking/forms.py)."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class BoundedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: refuses a body declared larger than the bound, and stops reading a file
    once it has passed it (the form then sees no file and says the file is too large)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length and content_length > settings.MAX_UPLOAD_BYTES + 1024 * 1024:
            raise StopUpload(connection_reset=True)
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
