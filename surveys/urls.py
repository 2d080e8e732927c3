from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("me/", views.employee_home, name="employee_home"),
    path("manage/", views.manage_home, name="manage_home"),
]
