"""Files of the courses (lesson material, videos, written work): which kinds each accepts. The checking by size and
first bytes, the random stored names and the permission-checked serving are shared with the people register's scans
and live in exam_platform/private_files.py; this module re-exports what courses uses."""
from __future__ import annotations

from exam_platform.private_files import KINDS, CheckedFile, check_upload, serve_private

MATERIAL = ("pdf", "docx", "pptx", "doc", "ppt")
VIDEO = ("mp4", "webm")
WRITTEN = ("pdf", "docx")

__all__ = ["KINDS", "MATERIAL", "VIDEO", "WRITTEN", "CheckedFile", "check_upload", "serve_private"]
