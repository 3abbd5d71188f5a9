from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "dangjian.rules"
    label = "rules"
    verbose_name = "规则检查"
