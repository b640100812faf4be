from django.urls import path

from canhgiac.web.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("monthly.docx", views.monthly_docx, name="monthly_docx"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
    path("cases.xlsx", views.cases_xlsx, name="cases_xlsx"),
]
