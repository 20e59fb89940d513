"""URLs for tracking: setup (scales, calendar), data entry, dashboards, pupils, workload."""

from grove.tracking.views import dashboards, entry, setup

urlpatterns = [
    # --- setup: scales, subjects, the collection calendar ---
    *setup.urlpatterns,
    # --- data entry and targets ---
    *entry.urlpatterns,
    # --- dashboards, drill-down, pupil page, workload, export ---
    *dashboards.urlpatterns,
]
