"""The one --format choice shared by every command (each accepts the members it supports)."""

from enum import StrEnum


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    GITHUB = "github"
    XLSX = "xlsx"
    DOCX = "docx"
