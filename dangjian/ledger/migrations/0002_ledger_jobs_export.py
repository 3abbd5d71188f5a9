# The import job becomes a ledger job: imports and exports, with the export's scope.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_initial'),
        ('organizations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel('ImportJob', 'LedgerJob'),
        migrations.AlterModelOptions(
            name='ledgerjob',
            options={'ordering': ['-created_at'], 'verbose_name': '台账导入导出任务',
                     'verbose_name_plural': '台账导入导出任务'},
        ),
        migrations.AddField(
            model_name='ledgerjob',
            name='kind',
            field=models.CharField(choices=[('import', '导入'), ('export', '导出')], default='import', max_length=10,
                                   verbose_name='类型'),
        ),
        migrations.AddField(
            model_name='ledgerjob',
            name='org',
            field=models.ForeignKey(blank=True, help_text='导出：该组织及其下级；空为用户可见的全部', null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                    to='organizations.organization', verbose_name='导出范围'),
        ),
    ]
