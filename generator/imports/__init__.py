"""`ocop import`: a province's published OCOP list (a spreadsheet) into catalog records.

One module per job: `read` opens the workbook or CSV within bounds, `columns` finds the header
and maps its columns to fields, `values` reads stars, dates and text, `places` turns an address
(old or current) into current codes, `producers` matches or creates producers, `ids` suggests
ids, `records` writes YAML, `report` prints problems and writes the `.can-xu-ly.xlsx` file of
rows left to resolve, and `stage` runs them in that order.
"""
