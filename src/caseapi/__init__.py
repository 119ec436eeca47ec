"""caseapi: a headless content API over a folder of Markdown files."""

__version__ = "0.1.0"
