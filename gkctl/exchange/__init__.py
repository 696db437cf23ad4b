"""Exchange with the tools offices use: the 任务分解表 as Word and Excel, and calendar feeds.

`table` holds the layout of the table (pure Python); `docx_io` and `xlsx_io` only move
cells between that layout and a file; `yaml_out` writes a plan in gkctl's YAML layout;
`ics` builds the calendar feed. python-docx, openpyxl and icalendar are imported inside
the functions that need them, so that `gkctl --help` does not pay for them.
"""
