"""The gallery in a real browser: headless Chromium loads every video and reports what it sees.

Chromium comes from Debian's `chromium` package (.ci/run installs it when it is missing). Where it
cannot be installed, this test is skipped and says so.
"""
import json
import re
import shutil
import subprocess
import tempfile

import pytest
from click.testing import CliRunner

from conftest import SMALL
from nnviz.cli import main

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (apt-get install chromium); "
                                                         "the gallery was not checked in a browser")]

CHECK = """
<pre id="nnviz-result">pending</pre>
<script>
(async () => {
  const gallery = [...document.querySelectorAll('main video')];
  const files = [...document.querySelectorAll('video source')].map(s => s.getAttribute('src'));
  const load = (v, label) => new Promise(resolve => {
    const done = () => resolve({label, readyState: v.readyState, width: v.videoWidth, height: v.videoHeight,
                                duration: v.duration, error: v.error ? v.error.code + ' ' + v.error.message : null});
    v.addEventListener('loadeddata', done, {once: true});
    v.addEventListener('error', done, {once: true});
    setTimeout(done, 20000);
  });
  const waits = gallery.map((v, i) => { const p = load(v, 'gallery ' + i); v.preload = 'auto'; v.load(); return p; });
  for (const src of files) {  // and every file on its own, whichever source the gallery's player chose
    const v = document.createElement('video');
    v.muted = true; v.preload = 'auto';
    waits.push(load(v, src));
    v.src = src;
  }
  document.getElementById('nnviz-result').textContent = JSON.stringify(await Promise.all(waits));
})();
</script>
"""


def test_every_video_of_the_gallery_plays_in_chromium(tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    (d / "one.yaml").write_text(SMALL)
    (d / "two.yaml").write_text(SMALL.replace("size: [320, 240]", "size: [480, 270]").replace("fps: 10", "fps: 20"))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out), "--format", "webm", "--format", "mp4"])
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text()
    check = out / "_check.html"  # beside index.html, so that its relative links work the same
    check.write_text(page.replace("</body>", CHECK + "</body>"))
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=30000", "--dump-dom", check.as_uri()],
            capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="nnviz-result">(.*?)</pre>', run.stdout, re.S)
    assert found and found.group(1) != "pending", run.stderr[-2000:]
    results = json.loads(found.group(1))
    expected = {"one": (320, 240, 16 / 10), "two": (480, 270, (11 + 10) / 20)}  # frames / fps
    assert len(results) == 2 + 4  # the gallery's two players, and 2 configs x (webm, mp4)
    for res in results:
        assert res["error"] is None and res["readyState"] >= 2, res
        name = "one" if res["label"] in ("gallery 0",) or res["label"].startswith("one/") else "two"
        w, h, seconds = expected[name]
        assert (res["width"], res["height"]) == (w, h), res
        assert abs(res["duration"] - seconds) < 1e-6, res


def test_hostile_file_names_neither_run_script_nor_break_links(tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    (d / "x\"><img src=x onerror=\"document.title='pwned'\">.yaml").write_text(SMALL)
    (d / "a b#c%d?e.yaml").write_text(SMALL.replace("seed: 1", "seed: 2"))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(d), "--out", str(out)])
    assert r.exit_code == 0, r.output
    pages = {"gallery": out / "index.html"}
    pages.update({f"embed {p.parent.name}": p for p in out.glob("*/embed.html")})
    for what, page in pages.items():
        check = page.parent / "_check.html"
        check.write_text("<!doctype html><title>untouched</title>" + page.read_text().split("<body>")[-1]
                         .replace("</body>", "").replace("</html>", "") + CHECK)
        with tempfile.TemporaryDirectory() as profile:
            run = subprocess.run(
                [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--virtual-time-budget=30000", "--dump-dom", check.as_uri()],
                capture_output=True, text=True, timeout=180)
        dom = run.stdout  # the page as the browser built it: the name is text in it, never an element
        assert "<title>untouched</title>" in dom and "<img src=\"x\"" not in dom and "<img src=x" not in dom, \
            (what, dom[:2000])
        found = re.search(r'<pre id="nnviz-result">(.*?)</pre>', run.stdout, re.S)
        results = json.loads(found.group(1))
        assert results and all(res["error"] is None and res["readyState"] >= 2 for res in results), (what, results)
