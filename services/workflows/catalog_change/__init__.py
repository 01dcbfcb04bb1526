"""The `CatalogChange` workflow: a unit's application to change the responsibility catalog, and its activities."""
