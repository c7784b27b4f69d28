"""Serializers of the programs API: validate input and shape output, no workflow."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enterprises.api.serializers import EnterpriseRefSerializer
from programs.benefit_messages import fact_label, match_reasons
from programs.models import (
    BenefitApplication,
    BenefitMatch,
    Commitment,
    Measure,
    MeasureGroup,
    Policy,
    ResponsibleUnit,
    SubsidyRule,
)
from programs.rule_messages import explained
from programs.rules import subsidy as engine
from reference.models import Jurisdiction
from zjtx.api import TransitionEventSerializer


class ResponsibleUnitSerializer(serializers.ModelSerializer[ResponsibleUnit]):
    jurisdiction: serializers.SlugRelatedField[Jurisdiction] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = ResponsibleUnit
        fields = ["code", "name", "name_en", "kind", "jurisdiction"]


class CommitmentSerializer(serializers.ModelSerializer[Commitment]):
    measure = serializers.CharField(source="measure.clause", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Commitment
        fields = [
            "code",
            "clause",
            "measure",
            "name",
            "name_en",
            "quantity",
            "unit",
            "kind",
            "approximate",
            "target_year",
        ]


class GroupSerializer(serializers.ModelSerializer[MeasureGroup]):
    units: serializers.SlugRelatedField[ResponsibleUnit] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = MeasureGroup
        fields = ["clause", "kind", "name", "name_en", "units"]


class PolicySerializer(serializers.ModelSerializer[Policy]):
    jurisdiction: serializers.SlugRelatedField[Jurisdiction] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    tiers: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Policy
        fields = [
            "code",
            "name",
            "name_en",
            "issuer",
            "issuer_en",
            "document_date",
            "jurisdiction",
            "effective_from",
            "effective_until",
            "period_note",
            "tiers",
            "source",
        ]


class PolicyDetailSerializer(PolicySerializer):
    groups = GroupSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta(PolicySerializer.Meta):
        fields = [*PolicySerializer.Meta.fields, "groups", "commitments"]


class RuleRefSerializer(serializers.ModelSerializer[SubsidyRule]):
    class Meta:
        model = SubsidyRule
        fields = ["code", "kind", "effective_from", "effective_until"]


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    policy: serializers.SlugRelatedField[Policy] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group = serializers.CharField(source="group.clause", read_only=True)
    group_name = serializers.CharField(source="group.display_name", read_only=True)
    tiers = serializers.SerializerMethodField(
        help_text="Tier codes that may benefit (the measure's, else the policy's)"
    )
    industries: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    units = serializers.SerializerMethodField(help_text="Responsible units: the clause's own and its group's")
    effective_from = serializers.SerializerMethodField()
    effective_until = serializers.SerializerMethodField()
    rules = RuleRefSerializer(source="subsidy_rules", many=True, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "policy",
            "group",
            "group_name",
            "clause",
            "kind",
            "name",
            "name_en",
            "funding",
            "beneficiary",
            "tiers",
            "industries",
            "units",
            "effective_from",
            "effective_until",
            "budget",
            "rules",
        ]

    def get_tiers(self, obj: Measure) -> list[str]:
        return [t.code for t in obj.tiers.all()] or [t.code for t in obj.policy.tiers.all()]

    def get_units(self, obj: Measure) -> list[str]:
        codes = [u.code for u in obj.units.all()]
        return codes + [u.code for u in obj.group.units.all() if u.code not in codes]

    @extend_schema_field(serializers.DateField())
    def get_effective_from(self, obj: Measure) -> Any:
        return obj.period()[0]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_effective_until(self, obj: Measure) -> Any:
        return obj.period()[1]


class MeasureDetailSerializer(MeasureSerializer):
    commitments = CommitmentSerializer(many=True, read_only=True)
    committed = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="Approved or paid under this measure"
    )

    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "text", "commitments", "committed"]


class SubsidyRuleSerializer(serializers.ModelSerializer[SubsidyRule]):
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.all())
    measure_clause = serializers.CharField(source="measure.clause", read_only=True)
    policy = serializers.CharField(source="measure.policy.code", read_only=True)
    params = serializers.JSONField(help_text="Parameters of the formula; see the kind")
    inputs = serializers.SerializerMethodField(help_text="Inputs the rule reads, each with whether it is required")

    class Meta:
        model = SubsidyRule
        fields = [
            "code",
            "measure",
            "measure_clause",
            "policy",
            "name",
            "name_en",
            "kind",
            "params",
            "inputs",
            "effective_from",
            "effective_until",
            "clause",
            "source_text",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_inputs(self, obj: SubsidyRule) -> dict[str, bool]:
        try:
            return engine.input_names(obj.kind, obj.params)
        except engine.RuleDefinitionError:
            return {}


class QuoteRequestSerializer(serializers.Serializer[Any]):
    inputs = serializers.DictField(required=False, default=dict, help_text="Input name → amount in yuan")
    on = serializers.DateField(required=False, help_text="The day to quote for; today when absent")
    enterprise = serializers.CharField(
        required=False, max_length=40, help_text="Credit code: count its earlier awards and check its eligibility"
    )


class TraceStepSerializer(serializers.Serializer[Any]):
    step = serializers.CharField()
    text = serializers.CharField()


class QuoteSerializer(serializers.Serializer[Any]):
    measure = serializers.IntegerField(source="measure.pk")
    clause = serializers.CharField(source="measure.clause")
    rule = serializers.CharField(source="rule.code")
    on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    trace = serializers.ListField(child=serializers.DictField(), help_text="Each step with its `text`")
    enterprise = serializers.CharField(source="enterprise.credit_code", allow_null=True, default=None)
    awarded_before = serializers.DecimalField(source="history.awarded", max_digits=16, decimal_places=2)
    refusals = serializers.ListField(child=serializers.CharField(), help_text="Why the enterprise could not apply")


class BenefitApplicationSerializer(serializers.ModelSerializer[BenefitApplication]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    policy = serializers.CharField(source="measure.policy.code", read_only=True)
    clause = serializers.CharField(source="measure.clause", read_only=True)
    rule: serializers.SlugRelatedField[SubsidyRule] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    submitted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = BenefitApplication
        fields = [
            "id",
            "enterprise",
            "measure",
            "policy",
            "clause",
            "rule",
            "basis_date",
            "inputs",
            "amount",
            "approved_amount",
            "status",
            "note",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "paid_at",
        ]


class BenefitApplicationDetailSerializer(BenefitApplicationSerializer):
    trace = serializers.SerializerMethodField()
    transitions = TransitionEventSerializer(many=True, read_only=True)

    class Meta(BenefitApplicationSerializer.Meta):
        fields = [*BenefitApplicationSerializer.Meta.fields, "trace", "transitions"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_trace(self, obj: BenefitApplication) -> Any:
        return explained(obj.trace)


class BenefitApplicationCreateSerializer(serializers.Serializer[Any]):
    enterprise = serializers.CharField(max_length=40, help_text="Unified social credit code")
    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.select_related("policy"))
    inputs = serializers.DictField(required=False, default=dict, help_text="The inputs of the measure's rule")
    basis_date = serializers.DateField(required=False, help_text="The day the facts refer to; today when absent")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class BenefitTransitionSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=30, help_text="approve, reject or pay")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text="approve only: grant less than the rule gives",
    )


class MatchMeasureSerializer(serializers.ModelSerializer[Measure]):
    policy = serializers.CharField(source="policy.code", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "policy", "clause", "name"]


class MatchReasonSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    params = serializers.DictField(child=serializers.CharField())
    text = serializers.CharField()


class MissingFactSerializer(serializers.Serializer[Any]):
    fact = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class BenefitMatchSerializer(serializers.ModelSerializer[BenefitMatch]):
    """A policy match: the verdict of the nightly check, its reasons or the facts missing, the amount known."""

    enterprise = EnterpriseRefSerializer(read_only=True)
    measure = MatchMeasureSerializer(read_only=True)
    rule: serializers.SlugRelatedField[SubsidyRule] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reasons = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    claimed = serializers.BooleanField(read_only=True, help_text="An application under the measure, not rejected")

    class Meta:
        model = BenefitMatch
        fields = ["id", "enterprise", "measure", "verdict", "reasons", "missing", "rule", "inputs", "amount"]
        fields += ["since", "claimed"]

    @extend_schema_field(MatchReasonSerializer(many=True))
    def get_reasons(self, obj: BenefitMatch) -> list[dict[str, Any]]:
        texts = match_reasons(obj.reasons, self.context.get("tier_names"), self.context.get("matched_on"))
        return [{**r, "text": text} for r, text in zip(obj.reasons, texts, strict=True)]

    @extend_schema_field(MissingFactSerializer(many=True))
    def get_missing(self, obj: BenefitMatch) -> list[dict[str, str]]:
        return [{"fact": f, "label": fact_label(f)} for f in obj.missing]


class UptakeSerializer(serializers.Serializer[Any]):
    """How a measure is taken up, in the reader's scope (one district with ?by=district)."""

    measure = MatchMeasureSerializer()
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    qualifying = serializers.IntegerField(help_text="Firms that qualify under the last matching")
    claimed = serializers.IntegerField(help_text="Qualifying firms with an application not rejected")
    unclaimed = serializers.IntegerField()
    applied = serializers.IntegerField(help_text="Firms with an application in any status")
    approved = serializers.IntegerField(help_text="Firms granted (approved or paid)")
    paid = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    pending_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed_amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Approved or paid")
    paid_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    potential = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="What the unclaimed qualifying firms with known amounts would get"
    )
    estimable = serializers.IntegerField(help_text="Unclaimed qualifying firms whose amount is known")
    not_estimable = serializers.IntegerField(help_text="Unclaimed qualifying firms whose rule needs unknown inputs")
    projected = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Committed + pending + potential: the spend if every one claimed"
    )
    over_budget = serializers.BooleanField()
