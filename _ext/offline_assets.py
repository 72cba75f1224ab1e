"""Sphinx extension: keep the built site free of CDN references.

Jupyter Book always loads sphinx-thebe, which writes the CDN address of the thebe bundle into
every page even when live code is switched off (as here). This drops that script and thebe's own
files from each page, and refuses to build a page that would still load a remote script.
"""

from __future__ import annotations

REMOTE_PREFIXES = ("http://", "https://", "//")


def _body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", "") or "")


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    return "thebe" in name or "THEBE_JS_URL" in _body(asset)


def _strip(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is None:
            continue
        kept = [a for a in assets if not _is_thebe(a)]
        remote = [str(getattr(a, "filename", a)) for a in kept if str(getattr(a, "filename", a) or "").startswith(REMOTE_PREFIXES)]
        if remote:
            raise RuntimeError(f"page {pagename} would load {remote} from the network: vendor it (make vendor)")
        context[key] = kept


def setup(app):
    app.connect("html-page-context", _strip, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
