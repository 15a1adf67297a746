"""Paper requirements name their tier and their receiving desk explicitly: a national row (no
authority) becomes MIIT's (the lead ministry); rows written before tiers existed were the 卓越级
notices' requirements."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def national_rows_to_miit(apps, schema_editor):
    PaperRequirement = apps.get_model("campaigns", "PaperRequirement")
    Authority = apps.get_model("organisations", "Authority")
    miit = Authority.objects.filter(kind="ministry", department="industry", is_lead=True).first()
    national = PaperRequirement.objects.filter(authority__isnull=True)
    if miit is None:
        national.delete()  # no ministry to receive them: nothing can have been logged against them
    else:
        national.update(authority=miit)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0007_citysubquota'),
        ('organisations', '0002_alter_authority_level'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='paperrequirement', name='one_paper_rule_per_authority_item'),
        migrations.RemoveConstraint(model_name='paperrequirement', name='one_national_paper_rule_per_item'),
        migrations.AddField(
            model_name='paperrequirement', name='tier',
            field=models.CharField(choices=[('basic', '基础级'), ('advanced', '先进级'), ('excellent', '卓越级'), ('leading', '领航级')],
                                   default='excellent', max_length=16, verbose_name='层级'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='paperrequirement', name='sender_kinds',
            field=models.JSONField(blank=True, default=list, verbose_name='适用的报送单位类型'),
        ),
        migrations.AddField(
            model_name='paperrequirement', name='set_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+',
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='paperrequirement', name='set_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(national_rows_to_miit, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='paperrequirement', name='authority',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.authority',
                                    verbose_name='接收单位'),
        ),
        migrations.AlterModelOptions(
            name='paperrequirement',
            options={'ordering': ['tier', 'item'], 'verbose_name': '纸质材料要求', 'verbose_name_plural': '纸质材料要求'},
        ),
        migrations.AddConstraint(
            model_name='paperrequirement',
            constraint=models.UniqueConstraint(fields=('campaign', 'authority', 'tier', 'item'), name='one_paper_rule_per_desk_tier_item'),
        ),
    ]
