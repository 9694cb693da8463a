"""Research: web search, an SSRF-safe fetcher, link checks and page text (``docs/research.md``)."""
