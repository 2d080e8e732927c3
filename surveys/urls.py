from django.urls import path

from surveys.views import employee, home

app_name = "surveys"
urlpatterns = [
    path("me/", employee.employee_home, name="employee_home"),
    path("manage/", home.manage_home, name="manage_home"),
]
