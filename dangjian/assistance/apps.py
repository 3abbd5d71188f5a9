from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "dangjian.assistance"
    label = "assistance"
    verbose_name = "帮扶"
