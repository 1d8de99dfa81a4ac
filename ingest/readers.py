"""File → text. One reader per format; every failure becomes a `ReadError` that names the file and the problem."""
from __future__ import annotations

import codecs
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}


class ReadError(Exception):
    def __init__(self, path: Path | str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass
class RawText:
    text: str
    page_starts: list[int] | None = None  # 0-based line index where each page begins (PDFs)
    notes: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252"
    title: str | None = None  # the file's own title (HTML <title>, PDF metadata), when it has one

    def page_of(self, line_index: int) -> int | None:
        if not self.page_starts:
            return None
        page = 0
        for i, start in enumerate(self.page_starts):
            if start <= line_index:
                page = i
            else:
                break
        return page + 1


def read_file(path: Path, max_bytes: int) -> RawText:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ReadError(path, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED))}")
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise ReadError(path, "empty file")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
    raw = reader(path, data)
    if not raw.text.strip():
        raise ReadError(path, "no text could be extracted")
    return raw


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, its size checked first: a file over the limit is refused by `stat`, never read (a
    sparse 3 GB file would otherwise be read whole into memory just to be fingerprinted), and no more than the
    limit is read from one that grows meanwhile."""
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
            size = max(size, len(data))
    except FileNotFoundError:
        raise ReadError(path, "file vanished before it could be read") from None
    except IsADirectoryError:
        raise ReadError(path, "is a directory") from None
    except PermissionError:
        raise ReadError(path, "permission denied") from None
    except OSError as exc:
        raise ReadError(path, f"unreadable ({exc.strerror or exc})") from None
    if size > max_bytes:
        raise ReadError(path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit (ASSISTANT_MAX_FILE_MB)")
    return data


# Byte-order marks, longest first: UTF-32-LE's begins with UTF-16-LE's. UTF-16 text is full of NUL bytes and
# would be refused as binary if it were not recognised by its mark first.
BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def decode_text(path: Path, data: bytes) -> tuple[str, list[str]]:
    """By the byte-order mark when there is one (Notepad's "Unicode" is UTF-16 with one); otherwise UTF-8 first,
    Swedish files from older Windows tools are cp1252, and latin-1 decodes anything."""
    encoding = next((enc for bom, enc in BOMS if data.startswith(bom)), None)
    if encoding:
        name = encoding.removesuffix("-sig").upper()
        try:
            text = data.decode(encoding)  # the codec reads the mark and leaves it out of the text
        except UnicodeDecodeError as exc:
            raise ReadError(path, f"not valid {name} text despite its byte-order mark ({exc.reason} at byte "
                                  f"{exc.start})") from None
        if not _looks_like_text(text):
            raise ReadError(path, f"binary content behind a {name} byte-order mark, not text")
        return text, []
    if b"\x00" in data[:65536]:
        raise ReadError(path, "binary content (NUL bytes), not text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            notes = [] if encoding == "utf-8-sig" else [f"not UTF-8; decoded as {encoding}"]
            return text, notes
    raise ReadError(path, "undecodable bytes: not UTF-8, cp1252 or latin-1 text")


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t\f")
    return bad / len(sample) < 0.01


def _read_text(path: Path, data: bytes) -> RawText:
    text, notes = decode_text(path, data)
    return RawText(_normalize_newlines(text), notes=notes)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_pdf(path: Path, data: bytes) -> RawText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))  # tries the empty password: a PDF with only an owner password opens
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:  # before PdfReadError, its base: the file is sound, only locked
        raise ReadError(path, "encrypted (password-protected) PDF") from None
    except DependencyError as exc:
        raise ReadError(path, f"encrypted PDF that pypdf cannot decrypt here ({exc})") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(path, f"corrupt PDF ({exc.__class__.__name__}: {exc})") from None
    except Exception as exc:  # pypdf raises a wide variety on damaged files
        raise ReadError(path, f"corrupt PDF ({exc.__class__.__name__}: {exc})") from None
    if not any(p.strip() for p in pages):
        raise ReadError(path, "PDF has no text layer (scanned image?); OCR it first")
    lines: list[str] = []
    starts: list[int] = []
    for page in pages:
        starts.append(len(lines))
        lines.extend(_normalize_newlines(page).split("\n"))
        lines.append("")
    return RawText("\n".join(lines), page_starts=starts)


def _read_docx(path: Path, data: bytes) -> RawText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReadError(path, f"corrupt .docx ({exc})") from None
    except Exception as exc:
        raise ReadError(path, f"corrupt .docx ({exc.__class__.__name__}: {exc})") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(child, document)
            style = (para.style.name if para.style is not None else "") or ""
            level = re.match(r"Heading (\d)", style)
            text = para.text.strip()
            if level and text:
                lines += ["", "#" * int(level.group(1)) + " " + text, ""]
            else:
                lines.append(text)
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            lines.append("")
            for row in table.rows:
                lines.append("\t".join(cell.text.strip().replace("\n", " ") for cell in row.cells))
            lines.append("")
    return RawText("\n".join(lines))


# Elements whose text is a line (or lines) of its own; everything else is inline and joins its neighbours.
HTML_BLOCKS = {"p", "div", "section", "article", "main", "aside", "header", "li", "dd", "dt", "dl", "blockquote",
               "pre", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "figure", "figcaption", "address",
               "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "form", "fieldset", "details", "summary"}
# Site chrome, not the page's text: menus, footers, skip links, breadcrumbs, cookie notices.
HTML_CHROME = re.compile(r"\b(?:nav|menu|breadcrumbs?|skip|cookie|footer|site-header|search)\b", re.I)


def _read_html(path: Path, data: bytes) -> RawText:
    """Every block element a line of its own, headings as `#`, list items as `- `, table rows tab-separated.

    Walked by hand over BeautifulSoup's tree, not with `get_text`: a meeting portal prints a label and its value,
    or a diarienummer and the text after it, as neighbouring elements with no space between them
    (`RS 912-2025Motion nr 1-2026 …`), and a page puts its text in `div`s as often as in `p`s."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    text, notes = decode_text(path, data)
    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(["script", "style", "nav", "footer", "noscript", "template", "svg", "button", "head"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:  # inside chrome already removed
            continue
        classes = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
        if HTML_CHROME.search(classes) or tag.get("role") in ("navigation", "banner", "contentinfo"):
            # a page's frame may carry such a class too (`<body class="has-menu">`): what holds the page's
            # heading or its main text is never chrome
            if tag.name in ("html", "body", "main", "article") or tag.find(["h1", "main", "article"]) is not None:
                continue
            tag.decompose()
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        joined = " ".join(" ".join(current).split())
        if joined:
            lines.append(joined)
        current.clear()

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if child.strip():
                    current.append(child.strip())
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                end_line()
                heading = " ".join(child.get_text(" ", strip=True).split())
                if heading:
                    lines.extend(["", "#" * int(name[1]) + " " + heading, ""])
            elif name == "tr":
                end_line()
                lines.append("\t".join(" ".join(c.get_text(" ", strip=True).split())
                                       for c in child.find_all(["td", "th"])))
            elif name == "li":
                end_line()
                walk(child)
                if current:
                    current.insert(0, "-")
                end_line()
            elif name in HTML_BLOCKS:
                end_line()
                walk(child)
                end_line()
                if name in ("p", "table", "ul", "ol", "blockquote", "pre"):
                    lines.append("")
            else:
                walk(child)

    walk(soup.body or soup)
    end_line()
    if not any(l.strip() for l in lines):
        lines = soup.get_text("\n").split("\n")
    return RawText("\n".join(lines), notes=notes, title=title)
