"""The desk's pages: one module per page, each a few aiohttp handlers."""
