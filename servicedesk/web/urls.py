"""Service-desk pages: the work queue and notifications, and the forms under /enterprises/ beside the
enterprise page they start from."""

from django.urls import path

from servicedesk.web import views, work

app_name = "servicedesk"
urlpatterns = [
    path("work/", work.work_queue, name="work"),
    path("notifications/", work.notification_list, name="notifications"),
    path("notifications/read/", work.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/open/", work.notification_open, name="notification-open"),
    path("enterprises/demands/<int:pk>/", views.demand_detail, name="demand"),
    path("enterprises/<str:code>/visits/new/", views.visit_new, name="visit-new"),
    path("enterprises/<str:code>/demands/new/", views.demand_new, name="demand-new"),
    path("enterprises/<str:code>/take-on/", work.take_on, name="take-on"),
]
