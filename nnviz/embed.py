"""What a blog needs besides the video: embed snippets and the gallery page, made from manifests alone.

Each rendered config's folder holds NAME.json, the manifest (outputs.py): what was rendered from what,
the files, the title and a one-line summary.
"""
from __future__ import annotations

import contextlib
import html
import logging
import re
import time
from pathlib import Path
from urllib.parse import quote

from .files import write_text
from .outputs import Manifest, read_manifest

log = logging.getLogger(__name__)
STALE_SECONDS = 600  # a temporary gallery page this old was left by a process that was killed

STYLES = ("html", "markdown", "pelican", "jekyll", "hugo")
FIT = "max-width: 100%; height: auto;"  # a video wider than the blog's column scales down, keeping its shape
MIME = {"mp4": "video/mp4", "webm": "video/webm"}
BASE_URL = re.compile(r"^[A-Za-z0-9._~:/@!$()*+,;=%-]*$")  # what --base-url may hold: no quotes, spaces, braces


def check_base_url(base_url: str) -> str:
    """`base_url` ending in "/" (or ""); ValueError when it holds what a page's markup could not carry."""
    if not BASE_URL.match(base_url):
        raise ValueError(f"{base_url!r} is not a URL path nnviz can put in a page: use letters, digits and "
                         "- . _ ~ : / @ ! $ ( ) * + , ; = % only (percent-encode the rest)")
    return base_url if not base_url or base_url.endswith("/") else base_url + "/"


def url_of(base: str, *names: str) -> str:
    """base + the percent-encoded path segments: a name with spaces, #, %, ? or quotes still links right,
    and cannot end an attribute or a tag."""
    return base + "/".join(quote(n, safe="") for n in names)


def _text(text: str, quote: bool = True) -> str:
    """User text for a page: HTML-escaped, and braces as entities, so that a site generator's templates
    (Jekyll's Liquid, Hugo's shortcodes) never see `{{` or `{%` in it."""
    return html.escape(text, quote=quote).replace("{", "&#123;").replace("}", "&#125;")


def _md_text(text: str) -> str:
    """Text for a Markdown link's label: its brackets and backslashes escaped, markup characters as entities."""
    return _text(re.sub(r"([\\\[\]])", r"\\\1", " ".join(text.split())), quote=False)


def _videos(m: Manifest) -> list[str]:
    """The manifest's video files, WebM first (smaller; browsers take the first source they can play)."""
    files = m.files
    return [files[f] for f in ("webm", "mp4") if f in files]


def video_tag(m: Manifest, base: str = "", indent: str = "", url=None) -> str:
    """<video> with every source, the poster and the size; an <img> of the GIF when there is no video.

    A file's URL is base + its percent-encoded name, escaped for the attribute it stands in; or url(name)
    when given, which must return attribute-safe text itself (a template expression)."""

    def src(name: str) -> str:
        return url(name) if url else html.escape(url_of(base, name), quote=True)

    title = _text(m.title)
    if not _videos(m):
        w, h = m.gif_size or m.size
        return f'{indent}<img src="{src(m.files["gif"])}" width="{w}" height="{h}" style="{FIT}" alt="{title}">'
    w, h = m.size
    lines = [f'{indent}<video controls loop muted playsinline preload="metadata" poster="{src(m.files["poster"])}" '
             f'width="{w}" height="{h}" style="{FIT}" title="{title}">']
    for f in _videos(m):
        lines.append(f'{indent}  <source src="{src(f)}" type="{MIME[f.rsplit(".", 1)[1]]}">')
    if "captions" in m.files:
        lines.append(f'{indent}  <track kind="captions" src="{src(m.files["captions"])}" srclang="en" '
                     'label="Captions" default>')
    lines.append(f"{indent}</video>")
    return "\n".join(lines)


def snippet(m: Manifest, style: str, base_url: str = "") -> str:
    """The embed code for one output in a site generator's own syntax; files are looked for at base_url."""
    base = check_base_url(base_url)
    files, (w, h) = m.files, m.size
    main = _videos(m)[-1] if _videos(m) else files["gif"]
    if style == "html":
        return video_tag(m, base)
    if style == "markdown":  # Markdown has no video: the poster, linking to the video
        return f"[![{_md_text(m.title)}]({url_of(base, files['poster'])})]({url_of(base, main)})"
    if style == "pelican":  # needs the pelican-liquid-tags plugin (PLUGINS = ["pelican.plugins.liquid_tags"],
        # LIQUID_TAGS = ["video"]): {% video url width height poster %}
        return f"{{% video {url_of(base, main)} {w} {h} {url_of(base, files['poster'])} %}}"
    if style == "jekyll":  # raw HTML in kramdown, URLs through relative_url so a baseurl is respected
        # (attribute-safe: a percent-encoded name and a checked base hold no quotes, braces or <>&)
        return video_tag(m, url=lambda f: "{{ '" + url_of(base, f) + "' | relative_url }}")
    if style == "hugo":  # raw HTML: needs markup.goldmark.renderer.unsafe = true in the site config
        return video_tag(m, base)
    raise ValueError(f"unknown style {style!r}; valid: {', '.join(STYLES)}")


def write_embeds(m: Manifest, folder: Path) -> None:
    """embed.html and embed.md next to the video, with paths relative to that folder."""
    write_text(folder / "embed.html", video_tag(m) + "\n")
    write_text(folder / "embed.md", snippet(m, "markdown") + "\n")


def _loss_line(m: Manifest) -> str:
    """'final mse loss 0.0315', 'diverged at iteration 63', or a comparison's best run."""
    if m.runs:
        ok = [r for r in m.runs if r.final_loss is not None]
        line = f"{len(m.runs)} run{'s' if len(m.runs) > 1 else ''}"
        if ok:
            best = min(ok, key=lambda r: r.final_loss)
            line += f"; lowest final {m.loss_name} loss {best.final_loss:.4g} ({best.label})"
        diverged = sum(r.diverged_at >= 0 for r in m.runs)
        return line + (f"; {diverged} diverged" if diverged else "")
    if m.diverged_at >= 0:
        return f"diverged at iteration {m.diverged_at:,}"
    if m.final_loss is None:
        return f"final {m.loss_name} loss not finite"
    return f"final {m.loss_name} loss {m.final_loss:.4g}"


def gallery(out_dir: Path) -> Path:
    """Write out_dir/index.html: every rendered output with its poster, title, summary, final loss and files."""
    out_dir = Path(out_dir)
    cards = []
    for mf in sorted(out_dir.glob("*/*.json")):
        if mf.stem != mf.parent.name:
            continue
        m = read_manifest(mf, warn=True)
        if m is None:
            continue
        if m.name != mf.stem:
            log.warning("%s: names another output (%r), skipped", mf, m.name)
            continue
        base = url_of("", mf.parent.name) + "/"
        loss = _loss_line(m)
        links = " · ".join(f'<a href="{html.escape(url_of(base, f), quote=True)}">{html.escape(k)}</a>'
                           for k, f in m.files.items())
        sets = "".join(f"<code>--set {html.escape(o)}</code> " for o in m.overrides)
        cards.append(f"""<article id="{html.escape(m.name)}">
{video_tag(m, base, "  ")}
  <h2>{_text(m.title)}</h2>
  <p class="summary">{_text(m.summary)}</p>
  <p class="loss">{html.escape(loss)}</p>{f"{chr(10)}  <p class='overrides'>rendered with {sets.strip()}</p>" if sets else ""}
  <p class="files">{links}</p>
</article>""")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nnviz gallery</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }}
  main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 2rem; }}
  video, img {{ width: 100%; height: auto; background: #f4f4f4; }}
  h2 {{ font-size: 1.1rem; margin: .5rem 0 .2rem; }}
  p {{ margin: .2rem 0; color: #555; font-size: .9rem; }}
  .loss {{ color: #0072b2; }}
</style>
</head>
<body>
<h1>nnviz gallery</h1>
<p>{len(cards)} video{'' if len(cards) == 1 else 's'}</p>
<main>
{chr(10).join(cards)}
</main>
</body>
</html>
"""
    index = out_dir / "index.html"
    for old in out_dir.glob(".index.*.part.html"):  # left by a killed run; another run's is seconds old
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
    write_text(index, page)
    return index
