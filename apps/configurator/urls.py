"""Pages of the browser configurator, mounted at the site root."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import audits, browse, downloads, links

app_name = "configurator"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("configurator:home"),
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("configurator:login")),
        name="logout",
    ),
    path("", browse.home, name="home"),
    path("projects/<int:pk>/", browse.project, name="project"),
    path("halls/<int:pk>/", browse.hall, name="hall"),
    path("halls/<int:pk>/links/new/", links.link_new, name="link-new"),
    path("halls/<int:pk>/breakouts/new/", links.breakout_new, name="breakout-new"),
    path(
        "halls/<int:pk>/downloads/<slug:kind>.<slug:fmt>",
        downloads.download,
        name="hall-download",
    ),
    path("halls/<int:pk>/audits/", audits.hall_audits, name="hall-audits"),
    path("audits/<int:pk>/", audits.audit, name="audit"),
    path("racks/<int:pk>/", browse.rack, name="rack"),
    path("enclosures/<int:pk>/", browse.enclosure, name="enclosure"),
    path("links/<int:pk>/", links.link, name="link"),
    path("links/<int:pk>/fix/", links.link_fix, name="link-fix"),
]
