"""Plant API routes, mounted at /api/v1/ by config/api_urls.py (hyphenated plurals, as NetBox)."""

from rest_framework.routers import SimpleRouter

from apps.plant.api import views

router = SimpleRouter()
router.register("sites", views.SiteViewSet, basename="plant-site")
router.register("halls", views.HallViewSet, basename="plant-hall")
router.register("rows", views.RowViewSet, basename="plant-row")
router.register("racks", views.RackViewSet, basename="plant-rack")
router.register("devices", views.DeviceViewSet, basename="plant-device")
router.register("transceivers", views.TransceiverViewSet, basename="plant-transceiver")
router.register("enclosures", views.EnclosureViewSet, basename="plant-enclosure")
router.register("modules", views.ModuleViewSet, basename="plant-module")
router.register("ports", views.PortViewSet, basename="plant-port")
router.register("cables", views.CableViewSet, basename="plant-cable")
router.register("cable-legs", views.CableLegViewSet, basename="plant-cable-leg")
router.register("matings", views.MatingViewSet, basename="plant-mating")
router.register("links", views.LinkViewSet, basename="plant-link")

urlpatterns = router.urls
