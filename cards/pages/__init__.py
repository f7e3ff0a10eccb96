"""The portfolio tab's pages: Jinja2 templates, their view data and small SVG chart builders.

Pure rendering like the rest of cards/: view dataclasses in, HTML text out; no storage, no I/O
beyond reading the templates and static files that ship beside this module."""
