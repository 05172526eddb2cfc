"""Orders issued by a board award (the buyer's order to a team's lead and the lead's
orders to its members) are marked as such: ``order_cancel`` reads the origin instead of
board's reverse relations."""

from django.db import migrations


def mark_board_orders(apps, schema_editor):
    Order = apps.get_model("network", "Order")
    Team = apps.get_model("board", "Team")
    TeamMember = apps.get_model("board", "TeamMember")
    ids = set(
        Team.objects.filter(buyer_order__isnull=False).values_list("buyer_order_id", flat=True)
    )
    ids |= set(TeamMember.objects.filter(order__isnull=False).values_list("order_id", flat=True))
    Order.objects.filter(pk__in=ids).update(origin="board")


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_order_origin"),
        ("board", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(mark_board_orders, migrations.RunPython.noop),
    ]
