from django.apps import AppConfig


class NumbersConfig(AppConfig):
    name = "fanzha.numbers"
    label = "numbers"
    verbose_name = "号码研判"
    default_auto_field = "django.db.models.BigAutoField"
