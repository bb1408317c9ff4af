"""Reading rendered pages in tests: scripts, inline handlers and styles, the CSP nonce; and
sending a page's form as a browser would."""

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from ..conftest import csrf_token_from


def submit(client, url, data=None, page=None):
    """POST ``data`` (a dict or pairs) to ``url`` with the CSRF token of ``page``'s form
    (default ``url``), as a browser sends the form it was shown."""
    form = MultiDict(data or {})
    form["csrf_token"] = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data=form)


class PageAudit(HTMLParser):
    """Collects what a strict content security policy cares about in a page."""

    def __init__(self, html: str):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.style_elements += 1
        self.inline_handlers += [f"{tag} {name}" for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.style_attributes.append(tag)


def nonce_from(csp: str) -> str:
    """The nonce a Content-Security-Policy header allows scripts by."""
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    nonce = next(word for word in script_src.split() if word.startswith("'nonce-"))
    return nonce.removeprefix("'nonce-").rstrip("'")


def assert_strict_csp_holds(response) -> None:
    """Every script is a same-site file or carries this response's nonce; nothing inline else."""
    audit = PageAudit(response.get_data(as_text=True))
    nonce = nonce_from(response.headers["Content-Security-Policy"])
    for script in audit.scripts:
        if "src" in script:
            assert script["src"].startswith("/static/"), script
        else:
            assert script.get("nonce") == nonce, script
    assert audit.inline_handlers == []
    assert audit.style_attributes == []
    assert audit.style_elements == 0
