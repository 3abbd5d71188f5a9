"""Domain errors: what a service refuses, in Chinese, with the field it is about."""


class DomainError(Exception):
    """A refused change. `message` is shown to the user as is; `field` names the form field or
    workbook column concerned; `code` is a stable machine-readable code (e.g. ``ID_CHECK_DIGIT``)."""

    def __init__(self, message, *, field=None, code="INVALID"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self):
        return self.message


class PermissionDenied(DomainError):
    """The actor's role does not cover the object."""

    def __init__(self, message="无权操作：该对象不在您的管理范围内", *, field=None):
        super().__init__(message, field=field, code="FORBIDDEN")
