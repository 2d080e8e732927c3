from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("hr/", views.home, name="home"),
    path("hr/rounds/<uuid:round_id>/", views.round_detail, name="round"),
    path("hr/rounds/<uuid:round_id>/export.<str:export>", views.round_detail, name="round_export"),
    path("hr/trends/", views.trends, name="trends"),
    path("hr/trends/export.<str:export>", views.trends, name="trends_export"),
    path("hr/open-feedback/", views.open_feedback, name="open_feedback"),
    path("hr/open-feedback/export.<str:export>", views.open_feedback, name="open_feedback_export"),
    path("results/", views.results, name="results"),
    path("results/<uuid:round_id>/", views.round_results, name="round_results"),
    path("what-hr-sees/", views.what_hr_sees, name="what_hr_sees"),
]
