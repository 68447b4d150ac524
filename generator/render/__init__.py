"""Renderers: one module per output kind, each `render_x(catalog, config, ...) -> result`."""
