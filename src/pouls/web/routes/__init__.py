"""One module per resource: the wall and signal pages, the JSON API, the live stream."""
