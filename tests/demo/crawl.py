"""Crawl the site as one user over the demo data: links from "/", then each list's own filter form with
awkward values (empty, unknown, out of range, malformed dates, ids that do not exist, text for numbers).

GET only: a form that is not ``method=get`` is never submitted, and logout is never followed. To finish in
minutes, a URL name is opened with one set of path arguments (one detail page per kind of record) and a
few query strings.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import Resolver404, resolve

from tests.test_no_pii_in_urls import SKIPPED_PREFIXES, page_links

MAX_PAGES = 200  # breadth first: every kind of record page of the leader, with room for new pages
MAX_QUERIES_PER_NAME = 4  # link variants by query string of one URL name (calendar months, pages)
SKIPPED_NAMES = ("logout",)
MISSING_ID = 99999999


@dataclass
class FilterForm:
    """A GET form of a page: its action and, per field, the values its own options offer."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FilterForm] = []
        self._form: FilterForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = (
                FilterForm(attr.get("action", "")) if attr.get("method", "get").lower() == "get" else None
            )
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and attr.get("name"):
            name = attr["name"]
            kind = attr.get("type", tag).lower()
            if kind in ("submit", "button", "reset", "file"):
                return
            self._form.kinds[name] = kind
            values = self._form.fields.setdefault(name, [])
            if attr.get("value"):
                values.append(attr["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(attr.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def filter_forms(html: str) -> list[FilterForm]:
    parser = FormParser()
    parser.feed(html)
    return [f for f in parser.forms if f.fields]


AWKWARD = {
    "": "",
    "unknown": "zz-unknown",
    "date": "2026-13-45",
    "first_day": "0001-01-01T00:00",  # before year 1 in UTC once read as Beijing time
    "last_day": "9999-12-31",
    "number": "abc",
    "missing_id": str(MISSING_ID),
    "negative": "-1",
    "nul": "a\x00b",  # PostgreSQL refuses a NUL in a text value: a view passing it to a query failed
}
PAGES = ("99999", "0", "abc", "-3")


def query_form(url: str, html: str) -> FilterForm:
    """The query parameters a page's own links give it (its lists' ?area=, ?page=, ?month=) as a form."""
    form = FilterForm(urlsplit(url).path)
    for link, _ in page_links(url, html):
        parts = urlsplit(link)
        if parts.path == form.action:
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                form.fields.setdefault(name, []).append(value)
    return form


def probe_queries(form: FilterForm) -> list[dict[str, str]]:
    """Query strings from a filter form: each field's options, then awkward values, one field at a time."""
    queries: list[dict[str, str]] = []
    for name, values in form.fields.items():
        for value in dict.fromkeys(values[:6]):
            queries.append({name: value})
        for value in AWKWARD.values():
            queries.append({name: value})
    queries.append(dict.fromkeys(form.fields, ""))  # the form sent untouched and empty
    queries += [{"page": page} for page in PAGES]
    queries.append({"start": "2026-13-45", "end": "2026-02-30", "date": "yesterday", "month": "2026-13"})
    return queries


def url_name(path: str) -> tuple[str, dict[str, object]] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name, match.kwargs


def with_other_ids(path: str) -> list[str]:
    """The same page for a record that does not exist and for a non-numeric id, where the path has ids."""
    parts = path.split("/")
    variants = []
    for index, part in enumerate(parts):
        if part.isdigit():
            for other in (str(MISSING_ID), "abc", "0"):
                variants.append("/".join([*parts[:index], other, *parts[index + 1 :]]))
    return variants


@dataclass
class Crawl:
    seen_urls: set[str] = field(default_factory=set)
    pages: dict[str, str] = field(default_factory=dict)  # url -> text of each fetched HTML/JSON page
    statuses: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # url -> its URL name

    def broken(self) -> dict[str, int]:
        return {url: code for url, code in self.statuses.items() if code >= 500}


class Crawler:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.result = Crawl()
        self.queue: deque[str] = deque()
        self.paths_of: dict[str, str] = {}  # URL name -> the one path opened for it
        self.queries_of: Counter[str] = Counter()
        self.probed_forms: set[tuple[str, tuple[str, ...]]] = set()

    def run(self, start: str = "/") -> Crawl:
        self.offer(start)
        followed = 0
        while self.queue and followed < MAX_PAGES:
            self.fetch(self.queue.popleft(), follow=True)
            followed += 1
        return self.result

    def offer(self, url: str) -> None:
        """Queue a link when its URL name has not been opened yet (or only with another query string)."""
        self.result.seen_urls.add(url)
        if url in self.result.statuses or url.startswith(SKIPPED_PREFIXES):
            return
        parts = urlsplit(url)
        found = url_name(parts.path)
        if found is None or found[0] in SKIPPED_NAMES:
            return
        name = found[0]
        opened = self.paths_of.setdefault(name, parts.path)
        if opened != parts.path:
            return  # one record per kind of page
        if parts.query:
            if self.queries_of[name] >= MAX_QUERIES_PER_NAME:
                return
            self.queries_of[name] += 1
        self.result.names[url] = name
        self.queue.append(url)

    def fetch(self, url: str, *, follow: bool) -> None:
        if url in self.result.statuses:
            return
        response = self.client.get(url)
        self.result.statuses[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith(("text/", "application/json")):
            return
        text = response.content.decode(response.charset or "utf-8", errors="replace")
        self.result.pages[url] = text
        if not follow or response.status_code != 200 or not content_type.startswith("text/html"):
            return
        path = urlsplit(url).path
        for variant in with_other_ids(path):
            self.result.names.setdefault(variant, "(other id)")
            self.fetch(variant, follow=False)
        for link, is_get in page_links(url, text):
            if is_get:
                self.offer(link)
            else:
                self.result.seen_urls.add(link)
        for form in filter_forms(text):
            self.probe(url, form)
        self.probe(url, query_form(url, text))

    def probe(self, page: str, form: FilterForm) -> None:
        action = urlsplit(form.action or page).path or urlsplit(page).path
        key = (action, tuple(sorted(form.fields)))
        if not form.fields or key in self.probed_forms or action.startswith(SKIPPED_PREFIXES):
            return
        if url_name(action) is None:
            return
        self.probed_forms.add(key)
        for query in probe_queries(form):
            url = f"{action}?{urlencode(query)}"
            self.result.seen_urls.add(url)
            self.result.names.setdefault(url, "(filter probe)")
            self.fetch(url, follow=False)


def crawl(client, start: str = "/") -> Crawl:  # type: ignore[no-untyped-def]
    return Crawler(client).run(start)
