"""Field work: acknowledge, record a call or visit, hand over, close, place; photos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanzha.core import access
from fanzha.core import selectors as core_selectors
from fanzha.core.models import Area, User
from fanzha.core.models.areas import AreaLevel
from fanzha.warnings import routing, selectors, workflow
from fanzha.warnings.forms import CloseForm, ContactForm, HandoverForm, PlaceForm
from fanzha.warnings.models import ContactPhoto, Warning


def _warning(request: HttpRequest, pk: int) -> Warning:
    return access.get_visible_or_404(Warning.objects.select_related("area", "person"), request.user, pk=pk)


def _require_work(request: HttpRequest, warning: Warning, dispatch_too: bool = False) -> None:
    allowed = access.user_can(request.user, "warning.dispatch") if dispatch_too else False
    if not allowed:
        workflow._require_work(request.user, warning)


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
    version = selectors.whole_number(request.POST.get("version", ""))
    try:
        workflow.warning_acknowledge(
            actor=request.user,
            warning=warning,
            version=warning.version if version is None else version,
        )
    except workflow.Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, "已签收，请尽快联系当事人。")
    return redirect("warning_detail", pk=pk)


@login_required
def warning_contact(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    _require_work(request, warning)
    if not workflow.can_record_contact(warning):
        messages.warning(request, f"该预警当前状态为“{warning.get_status_display()}”，不能再记录劝阻。")
        return redirect("warning_detail", pk=pk)
    posted = request.method == "POST"
    form = ContactForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"version": warning.version},
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            photos = [f.read() for f in data["photos"]]
            workflow.warning_contact_record(
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
        except ValidationError as exc:
            _add_errors(form, exc)
        except workflow.Conflict as exc:
            form.add_error(None, str(exc))
            _refresh_version(form, pk)
        else:
            messages.success(request, "劝阻情况已记录。")
            return redirect("warning_detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    context = {"w": warning, "form": form, "now": timezone.localtime()}
    return render(request, "warnings/warning_contact.html", context, status=status)


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
    _require_work(request, warning, dispatch_too=True)
    if (done := _already_closed(request, warning, "转交")) is not None:
        return done
    people = [
        (u.pk, f"{org} · {u}") for org, u in routing.candidates(warning.area) if u.pk != warning.assignee_id
    ]
    form = HandoverForm(request.POST or None, candidates=people)

    def act(data: dict[str, Any]) -> str:
        to_user = User.objects.filter(pk=int(data["to_user"])).first() if data["to_user"] else None
        workflow.warning_handover(actor=request.user, warning=warning, reason=data["reason"], to_user=to_user)
        return "已转交。"

    return _action_page(request, warning, form, "转交预警", act)


@login_required
def warning_close(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.user_can(request.user, "warning.dispatch"):
        access.require(request.user, "warning.work")
    warning = _warning(request, pk)
    _require_work(request, warning, dispatch_too=True)
    if (done := _already_closed(request, warning, "办结")) is not None:
        return done
    form = CloseForm(request.POST or None)

    def act(data: dict[str, Any]) -> str:
        workflow.warning_close(actor=request.user, warning=warning, **data)
        return "已办结。"

    return _action_page(request, warning, form, "办结预警", act)


@login_required
def warning_place(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre places a warning by hand; the placement is remembered for that address."""
    access.require(request.user, "warning.dispatch")
    warning = _warning(request, pk)
    areas = core_selectors.visible_areas(request.user).filter(
        level__in=[AreaLevel.VILLAGE, AreaLevel.GRID], is_active=True
    )
    form = PlaceForm(request.POST or None, areas=[(a.pk, a.full_name()) for a in areas])

    def act(data: dict[str, Any]) -> str:
        area = Area.objects.get(pk=int(data["area"]))
        workflow.warning_place(actor=request.user, warning=warning, area=area)
        return f"已定位到 {area.name}，该地址今后自动定位到此。"

    return _action_page(request, warning, form, "人工定位", act)


def _already_closed(request: HttpRequest, warning: Warning, action: str) -> HttpResponse | None:
    """Opening a closed warning's action page (a stale tab, a bookmark) sends the user back to it with
    a reason, not to a form that can only be refused once filled in; a POST is refused by the service."""
    if warning.is_open or request.method != "GET":
        return None
    messages.warning(request, f"该预警已办结，不能再{action}。")
    return redirect("warning_detail", pk=warning.pk)


def _action_page(
    request: HttpRequest, warning: Any, form: Any, title: str, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """One form-backed action on a warning: run it on a valid POST, else show the form (400 on a bad POST)."""
    if request.method == "POST" and form.is_valid():
        try:
            done = act(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("warning_detail", pk=warning.pk)
    status = 400 if request.method == "POST" else 200
    context = {"w": warning, "form": form, "title": title}
    return render(request, "warnings/warning_action.html", context, status=status)


@login_required
def warning_photo(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.view")
    photo = ContactPhoto.objects.select_related("contact").filter(pk=pk).first()
    if photo is None:
        raise Http404("记录不存在")
    _warning(request, photo.contact.warning_id)  # outside the user's scope: the same 404
    response = HttpResponse(workflow.photo_bytes(photo), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def warning_note(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "warning.view")
    warning = _warning(request, pk)
    try:
        workflow.warning_note_add(actor=request.user, warning=warning, text=request.POST.get("text", ""))
    except ValidationError:
        messages.warning(request, "请填写备注内容。")
    else:
        messages.success(request, "备注已添加。")
    return redirect("warning_detail", pk=pk)
