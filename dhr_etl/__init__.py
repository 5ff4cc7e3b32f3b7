"""dhr-etl: Domestic Homicide Review recommendations, from the library pages to a warehouse."""

__version__ = "0.1.0"
