"""QR traceability labels: one print-ready label per product (SVG, PNG 300 dpi, PDF) and A4 sheets.

The QR holds the product page's permanent absolute URL, `<base_url>p/<id>/`: short, so the QR
version stays low (5 for a 32-character id on https://<owner>.github.io/<repo>/). Error
correction M, a 4-module quiet zone, and a module size snapped to whole 300-dpi dots, chosen so
the symbol itself (quiet zone excluded) is at least 20 mm wide.

One layout (positions in millimetres, `layout`) is computed per label size and drawn by three
backends (`svg`, `png`, `pdf`), so the three formats agree to the dot; `sheets` puts the layouts
of a province or a producer on A4 pages. `stage` draws what the cache lacks, by province, and
puts the files into the site; `page` is the page for producers and offices.

A label for a product whose certification is not valid on the build day carries its state
("HẾT HIỆU LỰC", ...) instead of stars, and such products are left off the print sheets:
stars may not be used once a certificate has expired or been revoked.

Lot labels (`ocop labels --lots`, `stage.make_lot_labels`) are the same label for one lot of a
product: the QR holds the lot's address (`urls.gs1_lot` where the product has a GTIN, else
`urls.lot`), and the lot code, NSX and HSD are printed in plain characters. They are made on
demand, never by the build: a label per lot is hundreds of thousands of files at national
scale, printed once, when the lot is made.
"""
