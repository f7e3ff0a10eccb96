"""Render Adaptive Card JSON files to PNG with the adaptivecards JS renderer in headless Chromium.

    python scripts/render_card.py card.json [more.json ...] --out build/cards
Needs Debian's chromium and `npm install --prefix <dir> adaptivecards@3 markdown-it`
(STYRA_ACJS_DIR, default .e2e). A development aid for looking at cards as people see them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body{{margin:0;background:#f5f5f5;font-family:'Segoe UI',Arial,sans-serif}}
#c{{width:{width}px;margin:12px;background:#fff;border-radius:6px;box-shadow:0 1px 3px #0003;padding:4px}}
.ac-textBlock ul,.ac-textBlock ol{{padding-left:20px;margin:2px 0}} .ac-textBlock li{{white-space:normal}}</style>
<script src="{md}"></script><script src="{ac}"></script></head><body><div id="c"></div><script>
var ac = new AdaptiveCards.AdaptiveCard();
AdaptiveCards.AdaptiveCard.onProcessMarkdown = function(t, r) {{ r.outputHtml = markdownit().render(t); r.didProcess = true; }};
ac.hostConfig = new AdaptiveCards.HostConfig({{fontFamily: "'Segoe UI', Arial, sans-serif",
  containerStyles: {{default: {{backgroundColor: "#FFFFFF"}}, emphasis: {{backgroundColor: "#F0F0F0"}},
  attention: {{backgroundColor: "#FDE7E9"}}, good: {{backgroundColor: "#DFF6DD"}}, warning: {{backgroundColor: "#FFF4CE"}}}},
  actions: {{actionsOrientation: "horizontal", buttonSpacing: 8, maxActions: 6}}}});
ac.parse({card});
var css = document.createElement("link"); css.rel="stylesheet"; css.href="{css}"; document.head.appendChild(css);
document.getElementById('c').appendChild(ac.render());
</script></body></html>"""


def render(card_path: Path, out_dir: Path, width: int, lib: Path) -> Path:
    card = json.loads(card_path.read_text())
    html = PAGE.format(width=width, card=json.dumps(card),
                       ac=(lib / "adaptivecards/dist/adaptivecards.min.js").as_uri(),
                       css=(lib / "adaptivecards/dist/adaptivecards.css").as_uri(),
                       md=(lib / "markdown-it/dist/browser/markdown-it.umd.min.js").as_uri())
    out = out_dir / (card_path.stem + ".png")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "card.html"
        page.write_text(html)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
                        f"--window-size={width + 40},1400", f"--screenshot={out}", page.as_uri()],
                       check=True, capture_output=True, timeout=60)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cards", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/cards"))
    parser.add_argument("--width", type=int, default=520)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lib = Path(os.environ.get("STYRA_ACJS_DIR", ".e2e")) / "node_modules"
    for path in args.cards:
        sys.stdout.write(f"{render(path, args.out, args.width, lib)}\n")


if __name__ == "__main__":
    main()
