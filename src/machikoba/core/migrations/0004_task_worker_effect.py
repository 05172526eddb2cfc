from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskEffect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True, verbose_name="キー")),
                (
                    "done_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="実行日時"),
                ),
            ],
            options={
                "verbose_name": "タスクの実行記録",
                "verbose_name_plural": "タスクの実行記録",
            },
        ),
        migrations.CreateModel(
            name="TaskWorker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "worker_id",
                    models.CharField(max_length=64, unique=True, verbose_name="ワーカーID"),
                ),
                ("hostname", models.CharField(max_length=255, verbose_name="ホスト名")),
                ("pid", models.PositiveIntegerField(verbose_name="プロセスID")),
                ("started_at", models.DateTimeField(verbose_name="起動日時")),
                ("heartbeat_at", models.DateTimeField(db_index=True, verbose_name="最終応答日時")),
            ],
            options={
                "verbose_name": "タスクワーカー",
                "verbose_name_plural": "タスクワーカー",
            },
        ),
    ]
