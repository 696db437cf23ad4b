"""What people and programs read: Rich tables for the terminal, the JSON/CSV records, the
Markdown reports and the labels they share. Views return objects and strings; only the
command layer prints or writes."""
