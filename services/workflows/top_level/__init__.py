"""`TopLevelCoordination` (顶格调度): weekly review of a major or stuck case until it is closed."""
