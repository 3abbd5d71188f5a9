"""Masking of personal numbers: shown in full only where the role allows (and then audited)."""


def mask_id_number(value: str) -> str:
    """450103199001011234 → 450103********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value) -> str:
    """1980-05-03 → 1980-**-**. The eight digits a masked ID hides are exactly the birth date, so a
    full birth date beside a masked ID would give the ID away: it is masked with it."""
    if not value:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:4] + "-**-**"


SENSITIVE_FIELDS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_birth_date}


def mask_snapshot(data: dict) -> dict:
    """A copy of a field dict with sensitive values masked (for audit before/after)."""
    return {k: (SENSITIVE_FIELDS[k](v) if k in SENSITIVE_FIELDS and v else v) for k, v in data.items()}
