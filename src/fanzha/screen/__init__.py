"""The platform side of the screening engine: the analyst's page, ``POST /api/screen``, partner API keys.

The engine itself (``fanzha.screening``) knows nothing of Django; this app adds who may use it, rate
limits, masking of what it extracts, and the pages.
"""
