from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "dangjian.ledger"
    label = "ledger"
    verbose_name = "台账导入导出"
