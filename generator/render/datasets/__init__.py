"""Open datasets under data/: what a journalist downloads, cites and checks.

One set of typed rows per table feeds every format, so the formats cannot disagree:

    data/latest/              the newest release, stable names
      products.csv  producers.csv  certificates.csv  photos.csv  sources.csv  changes.csv
      *.json (one per table)  ocop.sqlite  ocop.xlsx  datapackage.json
      CHANGES.md  README.md (data dictionary)  LICENSE.md  SHA256SUMS
    data/releases/<date>/     the Frictionless package of each release (CSV, datapackage.json,
                              changelog, dictionary, licence, SHA256SUMS); never rewritten
    data/releases/index.json  every release and its files (lets a deploy restore them)
    data/feed.atom            new, re-rated, expired, revoked and withdrawn products
    p/<id>/product.json       one product, with its certificates, photos and sources

data/index.html (downloads, checksums, data dictionary, licence, citation, gaps) is rendered
with the other pages, from the DataPage the stage returns.

One module per job: specs (the tables' specifications), rows (the typed rows), columns (each
format's cells made per column), csv_json, sqlite and xlsx (the formats), cache (what is kept
between builds), files (files made only when the tree lacks them), descriptor, keys and check
(the Data Package and its checks), releases, changes, feed, documents (licence and
dictionary), product_json, and stage (which runs them in order).
"""
