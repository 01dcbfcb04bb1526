"""Time-skipping tests of `CatalogChange` (services/workflows/catalog_change/)."""
