"""The staff console pages: each module here adds its routes to the one blueprint, views.bp."""

from . import export, leads, views  # noqa: F401  (importing a module registers its routes on views.bp)
