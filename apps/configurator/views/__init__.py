"""Views of the browser configurator (one view serves a page and its htmx fragment)."""
