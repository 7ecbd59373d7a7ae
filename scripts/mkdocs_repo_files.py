"""MkDocs hook: links from a page to repository files outside docs/ work on the site too.

A page links to ``../examples/orders_service/orders_stack.py`` so that the link works where the
Markdown is read as it is (the code host, an editor). The site has no such path, so this hook copies
each linked file into the site under ``repo/`` and points the link there (a link to CHANGELOG.md or
README.md leads to the page that shows it). A linked file that does not exist is reported as a
warning, which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.repo_files")

# A Markdown link or image target: ](target) or ](target "title").
_LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?(?P<title>\s+\"[^\"]*\")?\)")
_SITE_DIR = "repo"
# Markdown files outside docs/ that a page of the site shows: a link to one leads to that page.
_SHOWN_BY = {"CHANGELOG.md": "changelog.md", "README.md": "index.md"}


def _outside_docs(page_uri: str, target: str) -> str | None:
    """The repository path a relative link of page `page_uri` points to, when it leaves docs/."""
    if "://" in target or target.startswith(("/", "mailto:")):
        return None
    joined = posixpath.normpath(posixpath.join("docs", posixpath.dirname(page_uri), target))
    if joined.startswith("../") or joined == "docs" or joined.startswith("docs/"):
        return None
    return joined


def on_files(files: Files, config: Any) -> Files:
    """Serve a copy of every repository file that a page links to, under repo/."""
    root = Path(config["config_file_path"]).parent
    for page_file in list(files.documentation_pages()):
        text = Path(page_file.abs_src_path or "").read_text(encoding="utf-8")
        for match in _LINK.finditer(text):
            path = _outside_docs(page_file.src_uri, match["target"])
            if path is None or path in _SHOWN_BY or files.get_file_from_path(f"{_SITE_DIR}/{path}") is not None:
                continue
            source = root / path
            if not source.is_file():
                log.warning("Doc file '%s' links to '%s', which is not a file of the repository",
                            page_file.src_uri, match["target"])
                continue
            files.append(File.generated(config, f"{_SITE_DIR}/{path}", abs_src_path=str(source)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point each link to a repository file at its copy under repo/."""

    def rewrite(match: re.Match[str]) -> str:
        path = _outside_docs(page.file.src_uri, match["target"])
        if path is None:
            return match[0]
        here = posixpath.dirname(page.file.src_uri) or "."
        target = posixpath.relpath(_SHOWN_BY.get(path, f"{_SITE_DIR}/{path}"), here)
        return f"]({target}{match['anchor'] or ''}{match['title'] or ''})"

    return _LINK.sub(rewrite, markdown)
