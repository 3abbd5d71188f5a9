from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "dangjian.responsibility"
    label = "responsibility"
    verbose_name = "党建工作责任制"
