from django.urls import path

from canhgiac.web.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("monthly/", views.monthly, name="monthly"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
    path("cases.xlsx", views.cases_xlsx, name="cases_xlsx"),
]
