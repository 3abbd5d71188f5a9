"""Writing audit entries. Every service calls `log_action` inside its transaction."""
import contextvars
import uuid

from dangjian.core.masking import mask_snapshot

from .models import AuditEntry

_batch = contextvars.ContextVar("audit_batch", default="")


def new_batch() -> str:
    """Start a new batch (one request, one import) and return its id."""
    value = uuid.uuid4().hex
    _batch.set(value)
    return value


def log_action(*, actor, action, obj, org=None, before=None, after=None, label=None):
    """Record `action` on `obj` by `actor` (None = the system: a command or the demo generator)."""
    return audit_entry(actor=actor, action=action, obj=obj, org=org, before=before, after=after, label=label,
                       save=True)


def log_actions(entries):
    """Record many entries at once (unsaved AuditEntry objects from `audit_entry(..., save=False)`): a
    service that writes a row per member of a branch saves them in one statement."""
    return AuditEntry.objects.bulk_create(entries)


def audit_entry(*, actor, action, obj, org=None, before=None, after=None, label=None, save=False):
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "系统",
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_label=(label or str(obj))[:200],
        org_code=org.code if org else "",
        org_path=org.path if org else "",
        before=mask_snapshot(before) if before else None,
        after=mask_snapshot(after) if after else None,
        batch=_batch.get(),
    )
    if save:
        entry.save()
    return entry


def save_changes(obj, *, actor, action, org, before):
    """Save `obj` and audit the fields that differ from `before` (its snapshot); do nothing when none
    do. Returns True when something changed: the update services' common ending."""
    old, new = changed_fields(before, obj.snapshot())
    if not new:
        return False
    obj.save()
    log_action(actor=actor, action=action(new) if callable(action) else action, obj=obj, org=org,
               before=old, after=new)
    return True


def changed_fields(before: dict, after: dict):
    """Only the fields that differ, as (before, after) dicts — what the audit page shows."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
