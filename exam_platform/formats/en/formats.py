# The English interface keeps the official dd/mm/yyyy dates of the documents it shows.
from exam_platform.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
