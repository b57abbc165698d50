"""Rule-data files of the identifier recognizers (YAML; format in docs/rules-as-data.md)."""
