"""The free ebook: landing page, request, delivery mail and signed download."""
