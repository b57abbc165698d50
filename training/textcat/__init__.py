"""Content classifier workflow (PERSONAL_ADVICE, UNPROFESSIONAL): convert -> train -> evaluate -> package."""
