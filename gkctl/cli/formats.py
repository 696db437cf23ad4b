"""The one --format choice shared by every command (each accepts the members it supports)."""

from enum import StrEnum


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    GITHUB = "github"
    CODEQUALITY = "codequality"  # GitLab Code Quality JSON
    JUNIT = "junit"  # JUnit XML (GitLab, Jenkins and others show it as test results)
    XLSX = "xlsx"
    DOCX = "docx"
