"""The web app: JSON API, server-rendered pages (Jinja2 + htmx) and the live stream (SSE)."""
