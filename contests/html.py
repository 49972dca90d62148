"""The contest's rules (thể lệ) as organisers write them: an allow-list of tags, no scripts, no styles, links only to
web addresses (nh3)."""
from __future__ import annotations

import nh3

RULES_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "blockquote", "table", "thead",
              "tbody", "tr", "th", "td", "a"}
RULES_ATTRIBUTES = {"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def rules_clean(text: str) -> str:
    return nh3.clean(text or "", tags=RULES_TAGS, attributes=RULES_ATTRIBUTES, url_schemes={"https", "http"},
                     link_rel="noopener noreferrer").strip()
