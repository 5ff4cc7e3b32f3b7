"""The bundled sample library, its deterministic generator, and a local site that serves a library."""
