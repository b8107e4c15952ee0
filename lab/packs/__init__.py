"""Challenge packs: validation, verification in the sandbox, import and export, the
instructor pages."""
