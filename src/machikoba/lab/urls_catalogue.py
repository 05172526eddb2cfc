"""Pages of the lab: the public catalogue, items and their photos, a vendor's exhibits, a
person's trainings, and the staff's settings, vendors and trainings."""

from django.urls import path

from machikoba.lab import views_catalogue as views
from machikoba.lab import views_lab_office as office

urlpatterns = [
    # The public catalogue (anyone).
    path("lab/", views.lab_list, name="catalogue"),
    path("lab/<id:pk>/", views.lab_detail, name="lab_detail"),
    path("lab/items/<id:pk>/", views.item_detail, name="item_detail"),
    path("lab/photos/<id:pk>/", views.item_photo, name="item_photo"),
    # An item's texts and photos (the lab's staff; the exhibiting vendor's people).
    path("lab/items/<id:pk>/edit/", views.item_edit, name="item_edit"),
    path("lab/items/<id:pk>/photos/", views.item_photos, name="item_photos"),
    path("lab/photos/<id:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("lab/vendor/exhibits/", views.vendor_exhibits, name="vendor_exhibits"),
    path("lab/trainings/mine/", views.my_trainings, name="my_trainings"),
    # The lab's staff.
    path("lab/<id:pk>/settings/", office.lab_settings, name="settings"),
    path("lab/<id:pk>/settings/rules/", office.lab_rules, name="rules"),
    path("lab/<id:pk>/settings/hours/", office.lab_hours, name="hours"),
    path("lab/<id:pk>/settings/closures/", office.lab_closures, name="closures"),
    path("lab/closures/<id:pk>/delete/", office.closure_delete, name="closure_delete"),
    path("lab/<id:pk>/settings/items/new/", office.item_create, name="item_create"),
    path("lab/items/<id:pk>/deactivate/", office.item_deactivate, name="item_deactivate"),
    path("lab/items/<id:pk>/activate/", office.item_activate, name="item_activate"),
    path("lab/<id:pk>/settings/vendors/", office.lab_vendors, name="vendors"),
    path("lab/<id:pk>/settings/vendors/new/", office.vendor_register, name="vendor_register"),
    path(
        "lab/<id:pk>/settings/vendors/<id:vendor_pk>/invite/",
        office.vendor_invite,
        name="vendor_invite",
    ),
    path("lab/<id:pk>/trainings/", office.lab_trainings, name="trainings"),
    path("lab/<id:pk>/trainings/new/", office.training_create, name="training_create"),
    path("lab/trainings/<id:pk>/edit/", office.training_edit, name="training_edit"),
    path("lab/trainings/<id:pk>/records/", office.training_records, name="training_records"),
    path("lab/training-records/<id:pk>/revoke/", office.record_revoke, name="record_revoke"),
]
