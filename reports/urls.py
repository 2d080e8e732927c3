from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("hr/", views.home, name="home"),
    path("hr/rounds/<uuid:round_id>/", views.round_detail, name="round"),
    path("what-hr-sees/", views.what_hr_sees, name="what_hr_sees"),
]
