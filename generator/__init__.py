"""OCOP Open Catalog: validates the product catalog and builds the static site."""

__version__ = "0.1.0"
