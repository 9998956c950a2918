"""Pages for co-design projects: the list, a project (question, phases, meetings, proposals and
"you said, we did"), a meeting (agenda, minutes, attendance) and a proposal (discussion, status
history with responses, progress, dissent).

Views are thin: find the thing through a `*_get_for` selector (scoped to the person and the
current time bank), validate a form, call one service, redirect with a message. A refusal from a
service is shown on the form it came from, with the page around it, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.codesign import attendance, forms, services
from coproduce.codesign.models import Meeting, Project, Proposal
from coproduce.codesign.selectors import (
    Standing,
    meeting_get_for,
    meeting_page,
    organisations_for_new_project,
    progress_update_get_for,
    project_get_for,
    project_page,
    project_standing,
    projects_for,
    proposal_get_for,
    proposal_page,
)
from coproduce.core.errors import NotFound, PermissionDenied
from coproduce.core.forms import AccessibleForm, service_on_form
from coproduce.core.requests import current_person, current_timebank

T = "codesign/"


def _require_manager(standing: Standing, project: Project) -> None:
    if not standing.can_manage:
        raise PermissionDenied(
            _("Only the staff of %(organisation)s or a coordinator can do that.")
            % {"organisation": project.organisation.name}
        )


def _require_participant(standing: Standing) -> None:
    if not standing.takes_part:
        raise PermissionDenied(
            _("Join the project first: everyone taking part can propose, comment and disagree.")
        )


def _submit(form: AccessibleForm, run: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and run the service; a refusal goes on the form. True on success."""
    if not form.is_valid():
        return False
    service_on_form(form, run, form.cleaned_data)
    return not form.errors


# The list and a new project ---------------------------------------------------------------------


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    return render(
        request,
        T + "projects.html",
        {
            "projects": projects_for(person=current_person(request), timebank=timebank),
            "may_start": organisations_for_new_project(
                person=current_person(request), timebank=timebank
            ).exists(),
        },
    )


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    person = current_person(request)
    organisations = organisations_for_new_project(person=person, timebank=timebank)
    if not organisations.exists():
        raise NotFound(_("Only a coordinator or an organisation's admin can start a project."))
    form = forms.ProjectForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    created: list[Project] = []
    if request.method == "POST" and _submit(
        form,
        lambda d: created.append(
            services.project_create(
                acting=person,
                timebank=timebank,
                organisation=d["organisation"],
                title=d["title"],
                question=d["question"],
                description=d["description"],
                meetings_paid_from=d["meetings_paid_from"],
            )
        ),
    ):
        messages.success(request, _("The project has started. Add its phases and meetings."))
        return redirect("codesign:project", public_id=created[0].public_id)
    return render(request, T + "project_new.html", {"form": form})


# A project ---------------------------------------------------------------------------------------


def _project_response(
    request: HttpRequest, project: Project, standing: Standing, **bound: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "project": project,
        "standing": standing,
        **project_page(project=project),
    }
    if standing.can_manage:
        context["phase_form"] = bound.get("phase") or forms.PhaseForm(prefix="phase")
        context["participant_form"] = bound.get("participant") or forms.ParticipantAddForm(
            prefix="participant", timebank=project.timebank, viewer=current_person(request)
        )
    status = 400 if bound else 200
    return render(request, T + "project.html", context, status=status)


def _project(request: HttpRequest, public_id: UUID) -> tuple[Project, Standing]:
    project = project_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    return project, project_standing(person=current_person(request), project=project)


@login_required
def project_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, standing = _project(request, public_id)
    return _project_response(request, project, standing)


@login_required
@require_POST
def project_join(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, _standing = _project(request, public_id)
    services.project_join(acting=current_person(request), project=project)
    messages.success(
        request, _("You are taking part. You can now make proposals and join the discussion.")
    )
    return redirect("codesign:project", public_id=project.public_id)


@login_required
@require_POST
def participant_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, standing = _project(request, public_id)
    _require_manager(standing, project)
    form = forms.ParticipantAddForm(
        request.POST,
        prefix="participant",
        timebank=project.timebank,
        viewer=current_person(request),
    )
    if _submit(
        form,
        lambda d: services.project_participant_add(
            acting=current_person(request), project=project, person=d["username"], role=d["role"]
        ),
    ):
        messages.success(
            request,
            _("%(name)s is now taking part.") % {"name": form.cleaned_data["username"]},
        )
        return redirect("codesign:project", public_id=project.public_id)
    return _project_response(request, project, standing, participant=form)


@login_required
@require_POST
def phase_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, standing = _project(request, public_id)
    _require_manager(standing, project)
    form = forms.PhaseForm(request.POST, prefix="phase")
    if _submit(
        form,
        lambda d: services.phase_add(
            acting=current_person(request),
            project=project,
            name=d["name"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        ),
    ):
        messages.success(request, _("The phase has been added."))
        return redirect("codesign:project", public_id=project.public_id)
    return _project_response(request, project, standing, phase=form)


@login_required
def meeting_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, standing = _project(request, public_id)
    if not standing.can_manage:
        raise NotFound(_("Only the organisation's staff or a coordinator can arrange meetings."))
    form = forms.MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"starts_at": forms.default_meeting_start()},
    )
    created: list[Meeting] = []
    if request.method == "POST" and _submit(
        form,
        lambda d: created.append(
            services.meeting_schedule(
                acting=current_person(request),
                project=project,
                starts_at=d["starts_at"],
                planned_minutes=d["length"],
                place=d["place"],
                agenda=d["agenda"],
            )
        ),
    ):
        messages.success(request, _("The meeting has been arranged."))
        return redirect("codesign:meeting", public_id=created[0].public_id)
    return render(request, T + "meeting_new.html", {"form": form, "project": project})


@login_required
def proposal_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project, standing = _project(request, public_id)
    _require_participant(standing)
    form = forms.ProposalForm(request.POST if request.method == "POST" else None)
    created: list[Proposal] = []
    if request.method == "POST" and _submit(
        form,
        lambda d: created.append(
            services.proposal_submit(
                acting=current_person(request), project=project, title=d["title"], text=d["text"]
            )
        ),
    ):
        messages.success(request, _("Thank you. Your proposal is open for discussion."))
        return redirect("codesign:proposal", public_id=created[0].public_id)
    return render(request, T + "proposal_new.html", {"form": form, "project": project})


# A meeting ---------------------------------------------------------------------------------------


def _meeting_response(
    request: HttpRequest, meeting: Meeting, standing: Standing, **bound: Any
) -> HttpResponse:
    page = meeting_page(meeting=meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "project": meeting.project,
        "standing": standing,
        "not_yet": meeting.starts_at > timezone.now(),
        **page,
    }
    if standing.can_manage and not context["not_yet"]:
        context["minutes_form"] = bound.get("minutes") or forms.MinutesForm(
            prefix="minutes", initial={"text": meeting.minutes_text}
        )
        if page["not_recorded"]:
            context["attendance_form"] = bound.get("attendance") or forms.AttendanceForm(
                prefix="attendance",
                participants=page["not_recorded"],
                planned_minutes=meeting.planned_minutes,
            )
    return render(request, T + "meeting.html", context, status=400 if bound else 200)


def _meeting(request: HttpRequest, public_id: UUID) -> tuple[Meeting, Standing]:
    meeting = meeting_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    return meeting, project_standing(person=current_person(request), project=meeting.project)


@login_required
def meeting_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    meeting, standing = _meeting(request, public_id)
    return _meeting_response(request, meeting, standing)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    meeting, standing = _meeting(request, public_id)
    _require_manager(standing, meeting.project)
    form = forms.MinutesForm(request.POST, prefix="minutes")
    if _submit(
        form,
        lambda d: services.meeting_minutes_write(
            acting=current_person(request), meeting=meeting, text=d["text"]
        ),
    ):
        messages.success(request, _("The minutes have been saved."))
        return redirect("codesign:meeting", public_id=meeting.public_id)
    return _meeting_response(request, meeting, standing, minutes=form)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, public_id: UUID) -> HttpResponse:
    meeting, standing = _meeting(request, public_id)
    _require_manager(standing, meeting.project)
    form = forms.AttendanceForm(
        request.POST,
        prefix="attendance",
        participants=meeting_page(meeting=meeting)["not_recorded"],
        planned_minutes=meeting.planned_minutes,
    )
    reports: list[attendance.AttendanceReport] = []
    if _submit(
        form,
        lambda d: reports.append(
            attendance.meeting_attendance_record(
                acting=current_person(request), meeting=meeting, attendees=d["attendees"]
            )
        ),
    ):
        report = reports[0]
        messages.success(
            request,
            _(
                "Attendance recorded: %(paid)d earned time credits, %(staff)d came as staff of "
                "the organisation (no credits)."
            )
            % {"paid": len(report.paid), "staff": len(report.staff)},
        )
        return redirect("codesign:meeting", public_id=meeting.public_id)
    return _meeting_response(request, meeting, standing, attendance=form)


# A proposal --------------------------------------------------------------------------------------


def _proposal_response(
    request: HttpRequest, proposal: Proposal, standing: Standing, **bound: Any
) -> HttpResponse:
    page = proposal_page(proposal=proposal)
    context: dict[str, Any] = {
        "proposal": proposal,
        "project": proposal.project,
        "standing": standing,
        **page,
    }
    me = current_person(request)
    if standing.takes_part:
        context["comment_form"] = bound.get("comment") or forms.CommentForm(prefix="comment")
        decision = page["decision"]
        if decision is not None and not any(d.person_id == me.pk for d in decision.dissents.all()):
            context["dissent_form"] = bound.get("dissent") or forms.DissentForm(prefix="dissent")
    if standing.can_manage:
        if page["next_statuses"]:
            context["status_form"] = bound.get("status") or forms.StatusForm(
                prefix="status", proposal=proposal
            )
        if proposal.is_accepted:
            context["progress_form"] = bound.get("progress") or forms.ProgressForm(
                prefix="progress"
            )
    return render(request, T + "proposal.html", context, status=400 if bound else 200)


def _proposal(request: HttpRequest, public_id: UUID) -> tuple[Proposal, Standing]:
    proposal = proposal_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    return proposal, project_standing(person=current_person(request), project=proposal.project)


@login_required
def proposal_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    proposal, standing = _proposal(request, public_id)
    return _proposal_response(request, proposal, standing)


def _proposal_action(
    request: HttpRequest,
    public_id: UUID,
    name: str,
    managers_only: bool,
    make_form: Callable[[Proposal], AccessibleForm],
    run: Callable[[Proposal, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    proposal, standing = _proposal(request, public_id)
    if managers_only:
        _require_manager(standing, proposal.project)
    else:
        _require_participant(standing)
    form = make_form(proposal)
    if _submit(form, lambda d: run(proposal, d)):
        messages.success(request, success)
        return redirect("codesign:proposal", public_id=proposal.public_id)
    proposal.refresh_from_db(fields=["status"])
    return _proposal_response(request, proposal, standing, **{name: form})


@login_required
@require_POST
def proposal_comment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _proposal_action(
        request,
        public_id,
        "comment",
        False,
        lambda p: forms.CommentForm(request.POST, prefix="comment"),
        lambda p, d: services.proposal_comment(
            acting=current_person(request), proposal=p, text=d["text"]
        ),
        _("Your comment has been added."),
    )


@login_required
@require_POST
def proposal_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _proposal_action(
        request,
        public_id,
        "status",
        True,
        lambda p: forms.StatusForm(request.POST, prefix="status", proposal=p),
        lambda p, d: services.proposal_status_change(
            acting=current_person(request),
            proposal=p,
            to_status=d["status"],
            response=d["response"],
        ),
        _("The status has been changed and the response published."),
    )


@login_required
@require_POST
def proposal_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _proposal_action(
        request,
        public_id,
        "progress",
        True,
        lambda p: forms.ProgressForm(request.POST, prefix="progress"),
        lambda p, d: services.progress_add(
            acting=current_person(request),
            proposal=p,
            text=d["text"],
            is_milestone=d["is_milestone"],
            milestone_on=d["milestone_on"],
        ),
        _("The progress update has been published."),
    )


@login_required
@require_POST
def proposal_dissent(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _proposal_action(
        request,
        public_id,
        "dissent",
        False,
        lambda p: forms.DissentForm(request.POST, prefix="dissent"),
        lambda p, d: services.dissent_record(
            acting=current_person(request), proposal=p, text=d["text"]
        ),
        _("Your view is on the record, beside the decision."),
    )


@login_required
@require_POST
def milestone_done(request: HttpRequest, public_id: UUID) -> HttpResponse:
    update = progress_update_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    services.milestone_mark_done(acting=current_person(request), update=update)
    messages.success(request, _("The milestone is marked done."))
    return redirect("codesign:proposal", public_id=update.proposal.public_id)
