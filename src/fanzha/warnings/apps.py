from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "fanzha.warnings"
    label = "warnings"
    verbose_name = "预警与劝阻"

    def ready(self) -> None:
        from django.core import checks

        from fanzha.warnings.checks import warning_settings

        checks.register(warning_settings)
        _register_retention()


def _register_retention() -> None:
    """The exports the worker made are kept, file long gone, as long as the jobs that made them."""
    from django.db.models import Q

    from fanzha.jobs import retention

    def ended() -> Q:
        return Q(status__in=("failed", "expired"))

    retention.register_kind(
        retention.RetentionKind("exports", "warnings.WarningExport", "RETENTION_JOBS_DAYS", only=ended)
    )
