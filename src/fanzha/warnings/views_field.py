"""Field work: acknowledge, record a call or visit, hand over, close, place; photos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.core.models import Area, User
from fanzha.core.models.areas import AreaLevel
from fanzha.core.pii.masking import mask
from fanzha.core.services.persons import REVEAL_PURPOSES
from fanzha.warnings import reveal, routing, selectors, workflow
from fanzha.warnings.exports import area_name
from fanzha.warnings.forms import HAND_BACK, CloseForm, ContactForm, HandoverForm, PlaceForm, photo_named
from fanzha.warnings.models import ContactPhoto, Outcome, Warning


def _warning(request: HttpRequest, pk: int) -> Warning:
    return access.get_visible_or_404(Warning.objects.select_related("area", "person"), request.user, pk=pk)


def _not_yours(request: HttpRequest, warning: Warning, dispatch_too: bool = False) -> str | None:
    """None when the user may act on the warning; else why not, in Chinese (another unit works it)."""
    if dispatch_too and access.user_can(request.user, "warning.dispatch"):
        return None
    if workflow.may_work(request.user, warning):
        return None
    return workflow.not_yours(request.user, warning)


def _held(request: HttpRequest, warning: Warning) -> bool:
    return selectors.held_by(warning, getattr(request.user, "organisation_id", None))


def _refused(request: HttpRequest, warning: Warning, why: str) -> HttpResponse:
    """Back to the warning, told why the action was not taken (as a closed warning's actions are)."""
    messages.warning(request, why)
    return redirect("warning_detail", pk=warning.pk)


def _not_yours_answer(request: HttpRequest, warning: Warning, why: str) -> HttpResponse:
    """A unit that held the warning (a second tap on 转交, a page left open while it went to another
    unit) is sent back to it with why; a unit that never did is refused on a page that says who works
    it — never a bare 403 for someone who sees the warning."""
    if _held(request, warning):
        return _refused(request, warning, why)
    context = {"w": warning, "why": why}
    return render(request, "warnings/warning_refused.html", context, status=403)


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page was opened with (a form sent from it), None for none or nonsense."""
    if request.method != "POST":
        return None
    return selectors.whole_number(request.POST.get("version", ""))


def _add_errors(form: object, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, exc.messages)  # type: ignore[attr-defined]


@login_required
@require_POST
def warning_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    if (why := _not_yours(request, warning)) is not None:
        return _not_yours_answer(request, warning, why)
    version = _posted_version(request)
    try:
        workflow.warning_acknowledge(
            actor=request.user,
            warning=warning,
            version=warning.version if version is None else version,
        )
    except workflow.Conflict as exc:
        messages.warning(request, str(exc))
    except PermissionDenied:  # handed to another unit a moment ago
        warning = _warning(request, pk)
        return _not_yours_answer(request, warning, workflow.not_yours(request.user, warning))
    else:
        messages.success(request, "已签收，请尽快联系当事人。")
    return redirect("warning_detail", pk=pk)


ARRIVAL_IGNORED = "电话劝阻不记到达时间，所填的到达时间未保存；如实为上门，请添加备注说明。"


@login_required
def warning_contact(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    posted = request.method == "POST"
    why = _not_yours(request, warning)
    if why is not None and not (posted and _held(request, warning)):
        return _not_yours_answer(request, warning, why)
    if why is None and not workflow.can_record_contact(warning) and _posted_version(request) is None:
        messages.warning(request, f"该预警当前状态为“{warning.get_status_display()}”，不能再记录劝阻。")
        return redirect("warning_detail", pk=pk)
    form = ContactForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"version": warning.version},
    )
    status = 400 if posted else 200
    if why is not None:  # the form was opened while the unit worked it: what was typed is shown again
        form.is_valid()
        form.add_error(None, f"{why}。本次未保存，您填写的内容仍在下方，可转告现承办人")
        status = 403
    elif posted and form.is_valid():
        data = form.cleaned_data
        try:
            photos = [f.read() for f in data["photos"]]
            recorded = workflow.warning_contact_record(
                actor=request.user,
                warning=warning,
                data=workflow.ContactData(
                    kind=data["kind"],
                    outcome=data["outcome"],
                    arrived_at=data["arrived_at"],
                    notes=data["notes"],
                    follow_up_on=data["follow_up_on"],
                    photos=photos,
                    version=data["version"],
                ),
            )
        except workflow.PhotoRefused as exc:  # which of those chosen, by its name
            form.add_error("photos", photo_named(data["photos"][exc.index], exc.why, len(data["photos"])))
        except ValidationError as exc:
            _add_errors(form, exc)
        except workflow.Conflict as exc:
            form.add_error(None, f"{exc}。本次未保存，您填写的内容仍在下方")
            _refresh_version(form, pk)
        except PermissionDenied:  # handed to another unit a moment ago
            why = workflow.not_yours(request.user, _warning(request, pk))
            form.add_error(None, f"{why}。本次未保存，您填写的内容仍在下方，可转告现承办人")
            status = 403
        else:
            messages.success(request, "劝阻情况已记录。")
            if form.arrival_ignored:
                messages.info(request, ARRIVAL_IGNORED)
            if recorded.contact.outcome == Outcome.DEFRAUDED:
                _say_case_drafted(request, warning, made_now=recorded.case_drafted)
            if recorded.merged:  # a new report joined while the form was open: saved, and told
                messages.warning(request, workflow.merged_text(recorded.merged, recorded.contact.warning))
            return redirect("warning_detail", pk=pk)
    elif posted:
        _also_the_services_problems(form, warning)
    if posted:
        _photos_again(request, form)
    context = {
        "w": warning,
        "form": form,
        "problems": _problems(form),
        "recorded": list(warning.contacts.select_related("actor").order_by("-contacted_at", "-pk")[:3]),
        "recorded_count": warning.contacts.count(),
        "now": timezone.localtime(),
    }
    return render(request, "warnings/warning_contact.html", context, status=status)


def _also_the_services_problems(form: ContactForm, warning: Warning) -> None:
    """A form refused for one field (a file that is no photo) says too what the service would refuse (an
    arrival time in the future): not one problem a round, each round with the photos to choose again."""
    data = form.cleaned_data
    contact = workflow.ContactData(
        kind=data.get("kind", ""),
        outcome=data.get("outcome", ""),
        arrived_at=data.get("arrived_at"),
        follow_up_on=data.get("follow_up_on"),
    )
    for name, errors in workflow.contact_problems(contact, warning).items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, errors)


def _problems(form: ContactForm) -> list[tuple[str, str, str]]:
    """Each field's refusal as the top of the form lists it — (the field's id, its name without the
    hint in brackets, the message): a phone shows the form again at its top, the arrival time's or the
    photos' own message a screen or two below, and the worker took the page for saved."""
    return [
        (field.auto_id, str(field.label).split("（")[0], str(error))
        for field in form.visible_fields()  # in the form's order, top to bottom
        for error in field.errors
    ]


def _say_case_drafted(request: HttpRequest, warning: Warning, made_now: bool = True) -> None:
    """已被骗 opened a case draft: the worker is told which and who takes it on — a grid worker sees no
    cases, and the page said only 劝阻情况已记录 (were the police to be called as well?). 已被骗 again (a
    回访) finds the draft made before: it says when, not “已生成” as if made now."""
    from fanzha.cases.models import Case

    case = Case.objects.filter(warning_id=warning.pk).select_related("organisation").first()
    if case is None:
        return
    named = _case_named(request, case)
    if made_now:
        messages.info(request, format_html("已生成{}，由{}核实案情、及时止付。", named, case.organisation))
    else:
        made = f"{timezone.localtime(case.created_at):%Y-%m-%d %H:%M}"
        messages.info(request, format_html("{} 已于 {} 生成，未重复生成。", named, made))


def _case_named(request: HttpRequest, case: Any) -> str:
    """“案件草稿 AJ2026000001”, a link to it for who may open it (a grid worker sees no cases)."""
    from fanzha.cases.models import Case

    named = f"案件草稿 {case.number}"
    if not access.user_can(request.user, "case.view"):
        return named
    if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        return named
    link: str = format_html('<a href="{}">{}</a>', reverse("case_detail", args=[case.pk]), named)
    return link


def _photos_again(request: HttpRequest, form: ContactForm) -> None:
    """A browser does not keep the files chosen in a form shown again (for a missing arrival time, a
    date, a conflict): the photos field says so, or the record would be saved without them unnoticed."""
    if request.FILES.getlist("photos") and "photos" not in form.errors:
        form.add_error("photos", "照片需重新选择：页面退回后不保留已选的照片，本次一张也未保存")


def _refresh_version(form: ContactForm, pk: int) -> None:
    """The form shown again carries the warning's version now: having read why it was refused (someone
    changed the warning, or the form was sent twice), the worker can send what they typed once more."""
    form.data = form.data.copy()
    form.data["version"] = str(Warning.objects.values_list("version", flat=True).get(pk=pk))


@login_required
def warning_handover(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.user_can(request.user, "warning.dispatch"):
        access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    if (refused := _before_action(request, warning, "转交")) is not None:
        return refused
    people = [
        (u.pk, f"{org} · {u}") for org, u in routing.candidates(warning.area) if u.pk != warning.assignee_id
    ]
    form = HandoverForm(
        request.POST or None,
        candidates=people,
        held_by=_assignee(request, warning),
        initial={"version": warning.version},
    )

    def act(data: dict[str, Any]) -> str:
        chosen = data["to_user"]
        to_user = None if chosen == HAND_BACK else User.objects.filter(pk=int(chosen)).first()
        workflow.warning_handover(
            actor=request.user,
            warning=warning,
            reason=data["reason"],
            to_user=to_user,
            version=data["version"],
        )
        return "已转交。"

    return _action_page(request, warning, form, "转交预警", act)


def _assignee(request: HttpRequest, warning: Warning) -> tuple[int, str] | None:
    """The warning's assignee for the handover form: id and name (“您本人” for the user), or None."""
    if warning.assignee_id is None:
        return None
    name = "您本人" if warning.assignee_id == request.user.pk else f" {warning.assignee} "
    return warning.assignee_id, name


@login_required
def warning_close(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.user_can(request.user, "warning.dispatch"):
        access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    if (refused := _before_action(request, warning, "办结")) is not None:
        return refused
    form = CloseForm(request.POST or None, initial={"version": warning.version})

    def act(data: dict[str, Any]) -> str:
        workflow.warning_close(actor=request.user, warning=warning, **data)
        if data["outcome"] == Outcome.DEFRAUDED:
            _say_case_drafted(request, warning)
        return "已办结。"

    return _action_page(request, warning, form, "办结预警", act)


@login_required
def warning_place(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre places a warning by hand; the placement is remembered for that address."""
    access.require(request.user, "warning.dispatch")
    warning = _warning(request, pk)
    form = PlaceForm(request.POST or None, areas=place_choices(request.user))

    def act(data: dict[str, Any]) -> str:
        area = Area.objects.get(pk=int(data["area"]))
        workflow.warning_place(actor=request.user, warning=warning, area=area)
        return f"已定位到 {area.name}，该地址今后自动定位到此。"

    return _action_page(request, warning, form, "人工定位", act, _where(request, warning))


def _where(request: HttpRequest, warning: Warning) -> dict[str, Any]:
    """What 人工定位 places the warning by: its address, masked, with the audited reveal for a user who
    may reveal (the person page's rule) — the analyst had to open the person page to read it."""
    return {
        "where": {"address": mask("address", reveal.shown_value(warning, "address"))},
        "can_reveal": access.user_can(request.user, "person.reveal"),
        "reveal_purposes": REVEAL_PURPOSES,
    }


PlaceChoices = list[tuple[str, list[tuple[int, str]]]]


def place_choices(user: Any) -> PlaceChoices:
    """The villages and grids in force the user may place a warning in, grouped by township in tree
    order, each named as the other pages name it (“城关镇 · 城东社区”, “城东社区 · 第一网格”), in one query.
    A user who sees several counties has the county in the group's name: each has its 城关镇."""
    areas = (
        access.visible_areas(user)
        .filter(level__in=[AreaLevel.VILLAGE, AreaLevel.GRID], is_active=True)
        .select_related("parent__parent__parent")
        .order_by("path")
    )
    groups: dict[Area | None, list[tuple[int, str]]] = {}
    for area in areas:
        groups.setdefault(_township(area), []).append((area.pk, area_name(area)))
    counties = {township.parent_id for township in groups if township is not None}
    return [(_group_name(township, len(counties) > 1), choices) for township, choices in groups.items()]


def _township(area: Area) -> Area | None:
    """The township (乡镇/街道) a village or grid lies in, from the parents read with it."""
    above = area.parent
    while above is not None and above.level not in (AreaLevel.TOWNSHIP, AreaLevel.DISTRICT):
        above = above.parent
    return above if above is not None and above.level == AreaLevel.TOWNSHIP else None


def _group_name(township: Area | None, with_county: bool) -> str:
    if township is None:
        return "其他"
    if with_county and township.parent is not None:
        return f"{township.parent.name} · {township.name}"
    return str(township.name)


def _before_action(request: HttpRequest, warning: Warning, action: str) -> HttpResponse | None:
    """转交 or 办结 refused before its form is read: another unit works the warning, it is closed, or
    the form was opened before a change someone made since (a second tap included: the first changed
    it) — back to the warning, told what happened. None: the action may go ahead."""
    if (why := _not_yours(request, warning, dispatch_too=True)) is not None:
        return _not_yours_answer(request, warning, why)
    try:
        workflow.merges_since(request.user, warning, _posted_version(request))
    except workflow.Conflict as exc:  # closed since the form was opened: who closed it, and when
        return _refused(request, warning, f"{exc}（本次{action}未执行）")
    if not warning.is_open:
        # Opening a closed warning's action page (a stale tab, a bookmark) sends the user back to it
        # with a reason, not to a form that can only be refused once filled in; a form sent without
        # the version it was opened with is too (the service said “不能变为“待分派”” on a form).
        return _refused(request, warning, f"该预警已办结，不能再{action}。")
    return None


def _action_page(
    request: HttpRequest,
    warning: Any,
    form: Any,
    title: str,
    act: Callable[[dict[str, Any]], str],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """One form-backed action on a warning: run it on a valid POST, else show the form (400 on a bad POST)."""
    if request.method == "POST" and form.is_valid():
        try:
            done = act(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except workflow.Conflict as exc:  # changed between the form being read and the warning locked
            return _refused(request, warning, str(exc))
        except PermissionDenied:  # handed to another unit a moment ago
            current = _warning(request, warning.pk)
            return _not_yours_answer(request, current, workflow.not_yours(request.user, current))
        else:
            messages.success(request, done)
            return redirect("warning_detail", pk=warning.pk)
    status = 400 if request.method == "POST" else 200
    context = {"w": warning, "form": form, "title": title, **(extra or {})}
    return render(request, "warnings/warning_action.html", context, status=status)


@login_required
def warning_photo(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.view")
    photo = ContactPhoto.objects.select_related("contact").filter(pk=pk).first()
    if photo is None:
        raise Http404("记录不存在")
    _warning(request, photo.contact.warning_id)  # outside the user's scope: the same 404
    data = workflow.warning_photo_read(actor=request.user, photo=photo)  # audited
    response = HttpResponse(data, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def warning_note(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.view")
    warning = _warning(request, pk)
    try:
        added = workflow.warning_note_add(
            actor=request.user, warning=warning, text=request.POST.get("text", "")
        )
    except ValidationError:
        messages.warning(request, "请填写备注内容。")
    else:
        if added:
            messages.success(request, "备注已添加。")
        else:
            messages.info(request, "该备注刚已添加（本次未重复添加）。")
    return redirect("warning_detail", pk=pk)
