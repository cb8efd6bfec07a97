"""Admin forms: a product edited like its datasheet.

A product's engine record lives in its current revision's spec. `ProductForm` shows it as plain
fields, a legs/ports table (`faces`) and a fibre-map table (`map`: "from leg/port : position -> to
leg/port : position" rows, in the one normative convention), and everything else as JSON. On
submit it assembles the record and hands it to `product_spec_validate` (the engine loader plus the
map checks of `apps.catalog.fibermap`); the record it returns is what the admin saves.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apps.catalog.models import Application, ConnectorType, FiberType, Layout, LossGrade, Product
from apps.core.exceptions import ApplicationError
from apps.engine import seed

CABLE_TYPES = ("trunk", "array_cord", "patch_cord", "harness", "conversion")
MAP_RULES = (*seed.CABLE_RULES, *seed.HARNESS_RULES, *seed.MODULE_RULES)
# Spec keys with a field of their own (or derived by the loader); the rest is shown as JSON.
SPEC_FIELDS = (
    "form_factor",
    "application",
    "cable_type",
    "polarity",
    "fiber_type",
    "fiber_count",
    "grade",
    "height_slots",
    "applications",
)
OWN_KEYS = {
    "code",
    "kind",
    "name",
    "vendor",
    "description",
    "ends",
    "receptacles",
    "map",
    "map_rule",
    "verified",
    "unverified_fields",
    "revision",
    *SPEC_FIELDS,
}
SHADOWED = ("form_factor", "application", "cable_type", "polarity", "fiber_type")
FACE_KINDS = {"cable": "ends", "cassette": "ports", "transceiver": "receptacles"}


def _choices(values: Any, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *((str(v), str(v)) for v in values)]


class FaceForm(forms.Form):
    """One leg (cable), port (cassette) or receptacle (transceiver)."""

    end = forms.ChoiceField(
        choices=[("", "—"), ("A", "end A"), ("B", "end B"), ("rear", "rear"), ("front", "front")],
        required=False,
        help_text="Cable legs: end A or B (numbered in order). Cassette ports: rear or front.",
    )
    label = forms.CharField(max_length=30, required=False)
    family = forms.ChoiceField(choices=())
    gender = forms.ChoiceField(choices=_choices(seed.GENDERS), required=False)
    endface = forms.ChoiceField(choices=_choices(seed.ENDFACES), required=False)
    grade = forms.ChoiceField(choices=(), required=False)
    adapter = forms.ChoiceField(choices=_choices(seed.ADAPTERS), required=False)
    layout = forms.ChoiceField(choices=(), required=False)

    def __init__(self, *args: Any, vocabulary: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].choices = _choices(vocabulary["families"])  # type: ignore[attr-defined]
        self.fields["grade"].choices = _choices(vocabulary["grades"], "product's")  # type: ignore[attr-defined]
        self.fields["layout"].choices = _choices(vocabulary["layouts"], "application's")  # type: ignore[attr-defined]


class MapRowForm(forms.Form):
    """One fibre: from <leg or port>:<position> to <leg or port>:<position>."""

    from_face = forms.CharField(max_length=30, help_text="A1, B2 (cable legs) or a port label")
    from_position = forms.IntegerField(min_value=1, max_value=64)
    to_face = forms.CharField(max_length=30)
    to_position = forms.IntegerField(min_value=1, max_value=64)


class _VocabularyFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, vocabulary: dict[str, list[str]], **kwargs: Any) -> None:
        self.vocabulary = vocabulary
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"vocabulary": self.vocabulary}


FaceFormSet: Any = forms.formset_factory(
    FaceForm, formset=_VocabularyFormSet, extra=0, can_delete=True
)
MapFormSet = forms.formset_factory(MapRowForm, extra=0, can_delete=True)


def _vocabulary() -> dict[str, list[str]]:
    return {
        "families": list(ConnectorType.objects.order_by("code").values_list("code", flat=True)),
        "grades": list(LossGrade.objects.order_by("rank").values_list("code", flat=True)),
        "layouts": list(Layout.objects.order_by("name").values_list("name", flat=True)),
        "fibers": list(FiberType.objects.order_by("code").values_list("code", flat=True)),
        "applications": list(Application.objects.order_by("code").values_list("code", flat=True)),
    }


def spec_initial(spec: dict[str, Any]) -> dict[str, Any]:
    """A normalised record as the form's initial data: fields, faces, map rows, other JSON."""
    initial: dict[str, Any] = {k: spec.get(k) for k in SPEC_FIELDS if spec.get(k) is not None}
    faces: list[dict[str, Any]] = []
    kind = spec.get("kind")
    if kind == "cable":
        for end in ("A", "B"):
            faces.extend({**leg, "end": end} for leg in spec["ends"][end])
    elif kind == "cassette":
        faces.extend({**port, "end": port.get("face")} for port in spec["ports"])
    elif kind == "transceiver":
        faces.extend(spec["receptacles"])
    rows = []
    for first, second in spec.get("map") or []:
        a, _, p = first.rpartition(":")
        b, _, q = second.rpartition(":")
        rows.append({"from_face": a, "from_position": p, "to_face": b, "to_position": q})
    skip = set(OWN_KEYS)
    if kind == "cassette":
        skip.add("ports")
    initial["other"] = {k: v for k, v in spec.items() if k not in skip}
    initial["faces"] = [{k: ("" if v is None else v) for k, v in f.items()} for f in faces]
    initial["map"] = rows
    return initial


class ProductForm(forms.ModelForm):
    """A product and its engine record, edited like a datasheet; validated by the engine loader."""

    form_factor = forms.CharField(max_length=30, required=False, help_text="Transceivers: QSFP28…")
    application = forms.ChoiceField(choices=(), required=False, help_text="Transceivers.")
    cable_type = forms.ChoiceField(choices=_choices(CABLE_TYPES), required=False)
    polarity = forms.CharField(
        max_length=60,
        required=False,
        help_text="A, B, C, A-to-B, A-to-A (cables); A, B, U1, U2 (cassettes): checked against "
        "the map. Other labels are names only.",
    )
    fiber_type = forms.ChoiceField(choices=(), required=False)
    fiber_count = forms.IntegerField(min_value=1, required=False)
    grade = forms.ChoiceField(choices=(), required=False, help_text="Default grade of every face.")
    height_slots = forms.IntegerField(min_value=1, required=False, help_text="Cassettes.")
    applications = forms.MultipleChoiceField(
        choices=(),
        required=False,
        help_text="Intended applications: the map must carry every position they light.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    map_rule = forms.ChoiceField(
        choices=_choices(MAP_RULES, "— explicit map below —"),
        required=False,
        help_text="Fill the map from a rule instead of the rows below (the rows are ignored).",
    )
    other = forms.JSONField(
        required=False,
        initial=dict,
        help_text="The rest of the record (jacket, overrides, vendor_loss, sources, …).",
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
    )

    class Meta:
        model = Product
        fields = ("code", "kind", "name", "vendor", "description", "retired")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vocabulary = _vocabulary()
        for name, values in (
            ("application", self.vocabulary["applications"]),
            ("fiber_type", self.vocabulary["fibers"]),
            ("grade", self.vocabulary["grades"]),
        ):
            if name in self.fields:
                self.fields[name].choices = _choices(values)  # type: ignore[attr-defined]
        if "applications" in self.fields:
            self.fields["applications"].choices = [  # type: ignore[attr-defined]
                (code, code) for code in self.vocabulary["applications"]
            ]
        initial: dict[str, Any] = {"faces": [], "map": [], "other": {}}
        if self.instance.pk:
            revision = self.instance.revisions.filter(is_current=True).first()
            if revision is not None:
                initial = spec_initial(revision.spec)
                for name in (*SPEC_FIELDS, "other"):
                    if name in self.fields and name in initial:
                        self.fields[name].initial = initial[name]
        # Bound: the rows are what was posted (blank rows are skipped); unbound: the record's.
        if self.is_bound:
            self.faces = FaceFormSet(self.data, prefix="faces", vocabulary=self.vocabulary)
            self.map = MapFormSet(self.data, prefix="map")
        else:
            self.faces = FaceFormSet(
                prefix="faces", initial=initial["faces"], vocabulary=self.vocabulary
            )
            self.map = MapFormSet(prefix="map", initial=initial["map"])
        self.spec: dict[str, Any] | None = None
        self.normalised: dict[str, Any] | None = None
        self.map_error: str | None = None

    # --- assembling the record ------------------------------------------------------------------

    def _kind(self) -> str:
        if "kind" in self.cleaned_data:
            return str(self.cleaned_data["kind"])
        return str(self.instance.kind)

    def _code(self) -> str:
        return str(self.cleaned_data.get("code") or self.instance.code)

    def record(self) -> dict[str, Any]:
        """The raw record the form describes (before the loader)."""
        data = self.cleaned_data
        kind = self._kind()
        record: dict[str, Any] = dict(data.get("other") or {})
        record.update(
            code=self._code(),
            kind=kind,
            name=data.get("name") or "",
            vendor=data.get("vendor") or "",
            description=data.get("description") or "",
        )
        for name in SPEC_FIELDS:
            value = data.get(name)
            if value not in (None, "", []):
                record[name] = value
        faces = [
            f.cleaned_data
            for f in self.faces.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if kind == "cable":
            record["ends"] = {
                end: [
                    _face(f, ("label", "family", "gender", "endface", "grade"))
                    for f in faces
                    if f["end"] == end
                ]
                for end in ("A", "B")
            }
        elif kind == "cassette":
            record["ports"] = [
                {
                    "face": f["end"],
                    **_face(f, ("label", "family", "adapter", "gender", "endface", "grade")),
                }
                for f in faces
            ]
        elif kind == "transceiver":
            record["receptacles"] = [
                _face(f, ("label", "family", "gender", "endface", "layout", "grade")) for f in faces
            ]
        if kind in ("cable", "cassette"):
            if data.get("map_rule"):
                record["map_rule"] = data["map_rule"]
            else:
                record["map"] = [
                    [
                        f"{row.cleaned_data['from_face']}:{row.cleaned_data['from_position']}",
                        f"{row.cleaned_data['to_face']}:{row.cleaned_data['to_position']}",
                    ]
                    for row in self.map.forms
                    if row.cleaned_data and not row.cleaned_data.get("DELETE")
                ]
        return record

    def clean(self) -> dict[str, Any]:
        from apps.catalog.services import product_spec_validate

        cleaned: dict[str, Any] = super().clean() or {}
        faces_ok, map_ok = self.faces.is_valid(), self.map.is_valid()
        if not faces_ok:
            raise ValidationError("Check the legs/ports table.")
        if not map_ok:
            self.map_error = "Every map row needs a from and a to leg or port and a position."
            raise ValidationError(self.map_error)
        if self.errors:
            return cleaned
        self.spec = self.record()
        try:
            self.normalised = product_spec_validate(spec=self.spec)
        except ApplicationError as error:
            if error.attr == "map":
                self.map_error = error.detail
            field = error.attr if error.attr in self.fields and error.attr != "map" else None
            self.add_error(field, error.detail)
        return cleaned

    def _post_clean(self) -> None:
        # Some record fields share a name with a Product column copied from the spec (fiber_type
        # is a foreign key there): the services set those columns, the model form must not.
        shadowed = {k: self.cleaned_data.pop(k) for k in SHADOWED if k in self.cleaned_data}
        super()._post_clean()  # type: ignore[misc]
        self.cleaned_data.update(shadowed)

    @property
    def media(self) -> forms.Media:
        return super().media + forms.Media(
            js=["catalog/fibermap.js"], css={"all": ["catalog/fibermap.css"]}
        )


def _face(cleaned: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        value = cleaned.get(key)
        if key in ("label", "gender", "endface", "grade", "adapter", "layout") and value == "":
            value = None
        if key == "label" and value is None:
            continue
        out[key] = value
    return out
