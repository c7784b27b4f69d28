"""URL map of /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import AuditEntryViewSet, MeView, TokenView
from enterprises.api import views as ev
from programs.api import views as pv
from reference.api import views as refv
from reporting.api import plans as rp
from reporting.api import views as rv
from servicedesk.api import views as sd
from tiers.api import tier_lists as tier_lists_api
from tiers.api import views as tv

router = DefaultRouter()
router.register("jurisdictions", refv.JurisdictionViewSet, basename="jurisdiction")
router.register("districts", refv.DistrictViewSet, basename="district")
router.register("industries", refv.IndustryViewSet, basename="industry")
router.register("tiers", refv.TierViewSet, basename="tier")
router.register("enterprises", ev.EnterpriseViewSet, basename="enterprise")
router.register("imports", ev.ImportRunViewSet, basename="importrun")
router.register("tier-lists", tier_lists_api.TierListImportViewSet, basename="tierlistimport")
router.register("applications", tv.ApplicationViewSet, basename="application")
router.register("certifications", tv.CertificationViewSet, basename="certification")
router.register("service-assignments", sd.ServiceAssignmentViewSet, basename="serviceassignment")
router.register("visits", sd.VisitViewSet, basename="visit")
router.register("demands", sd.DemandViewSet, basename="demand")
router.register("service-desk-checks", sd.ServiceDeskDailyCheckViewSet, basename="servicedeskdailycheck")
router.register("eligibility", tv.EligibilityAssessmentViewSet, basename="eligibilityassessment")
router.register("audit", AuditEntryViewSet, basename="auditentry")
router.register("metrics", rv.MetricViewSet, basename="metric")
router.register("targets", rv.TargetViewSet, basename="target")
router.register("snapshots", rv.SnapshotViewSet, basename="snapshot")
router.register("manual-values", rv.ManualValueViewSet, basename="manualvalue")
router.register("reports", rv.ReportRunViewSet, basename="reportrun")
router.register("job-runs", rv.JobRunViewSet, basename="jobrun")
router.register("plans", rp.PlanViewSet, basename="plan")
router.register("policies", pv.PolicyViewSet, basename="policy")
router.register("measures", pv.MeasureViewSet, basename="measure")
router.register("subsidy-rules", pv.SubsidyRuleViewSet, basename="subsidyrule")
router.register("responsible-units", pv.ResponsibleUnitViewSet, basename="responsibleunit")
router.register("benefit-applications", pv.BenefitApplicationViewSet, basename="benefitapplication")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="me"),
    path("progress/", rv.ProgressView.as_view(), name="progress"),
    path("candidates/", tv.CandidateListView.as_view(), name="candidates"),
    path("candidate-pipeline/", rv.CandidatePipelineView.as_view(), name="candidate-pipeline"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
