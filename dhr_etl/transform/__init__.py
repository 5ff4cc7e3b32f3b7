"""polars: normalise names, derive keys, resolve agencies and CSPs, find data-quality issues."""
