from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("receipts/", views.receipt_check, name="receipt_check"),
]
