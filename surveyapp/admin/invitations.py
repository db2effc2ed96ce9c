"""Invitations (study team and admins): contact list, mail texts with preview, test mail, funnel."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from surveyapp.admin import bp
from surveyapp.admin.invitation_forms import ContactsForm, SendForm, TemplateForm, TestMailForm
from surveyapp.admin.surveys import FIELDWORK_ROLES, survey_or_404
from surveyapp.auth.access import current_user, roles_required, signed_in_user
from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.services import jobs
from surveyapp.services.auth import user_actor
from surveyapp.services.invitations import contacts, mail, participation, sending, templates

NOT_CONFIGURED = (
    "Sending needs SURVEYAPP_SMTP_URL and SURVEYAPP_PUBLIC_URL in the server’s configuration."
)
#: Contacts listed on the page (the CLI lists them all).
LISTED = 500


@bp.app_template_global()
def contact_language(code: str) -> str:
    """A contact's language named in the admin's language (Babel's CLDR names)."""
    try:
        name = Locale.parse(code).get_language_name(get_locale())
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


@bp.app_template_global()
def progress_label(progress: str) -> str:
    """The translated name of how far a contact has gone."""
    return {
        "pending": _("not mailed yet"),
        "sent": _("mailed"),
        "opened": _("opened the link"),
        "started": _("started"),
        "completed": _("finished"),
    }.get(progress, progress)


def _settings() -> sending.MailSettings:
    return sending.settings_from_config(current_app.config)


def _choice(survey, args) -> tuple[str, str]:
    schema = contacts.survey_schema(db.session, survey)
    kind = args.get("kind") if args.get("kind") in ("invitation", "reminder") else "invitation"
    lang = args.get("lang") if args.get("lang") in schema.languages else schema.languages[0]
    return kind, lang


def _page(survey, status: int = 200, **forms):
    kind, lang = _choice(survey, request.values)
    schema = contacts.survey_schema(db.session, survey)
    current = sending.template_for(db.session, survey, kind, lang)
    forms.setdefault("contacts_form", ContactsForm())
    forms.setdefault(
        "template_form",
        TemplateForm(
            kind=kind, language=lang, subject=current.subject, text=current.text, html=current.html
        ),
    )
    settings = _settings()
    try:
        preview, preview_error = templates.preview(db.session, survey, kind, lang, settings), None
    except mail.TemplateProblem as exc:
        preview, preview_error = None, str(exc)
    rows = participation.list_contacts(db.session, survey.id)
    return render_template(
        "admin/invitations.html",
        survey=survey,
        schema=schema,
        kind=kind,
        lang=lang,
        preview=preview,
        preview_error=preview_error,
        funnel=participation.funnel(db.session, survey.id),
        contacts=rows[:LISTED],
        contact_count=len(rows),
        eligible={
            k: sending.count_eligible(db.session, survey, k, settings)
            for k in ("invitation", "reminder")
        },
        mail_ready=settings.smtp is not None and bool(settings.public_url),
        send_form=forms.pop("send_form", SendForm()),
        test_form=TestMailForm(kind=kind, language=lang),
        problems=forms.pop("problems", []),
        **forms,
    ), status


@bp.get("/surveys/<slug>/invitations")
@roles_required(*FIELDWORK_ROLES)
def invitations(slug: str):
    """The contact list, its funnel per wave, the mail texts and their preview."""
    return _page(survey_or_404(slug))


@bp.post("/surveys/<slug>/invitations/contacts")
@roles_required(*FIELDWORK_ROLES)
def invitations_import(slug: str):
    """Import a CSV contact list: every row, or none with every problem located."""
    survey = survey_or_404(slug)
    form = ContactsForm()
    if not form.validate_on_submit():
        return _page(survey, 422, contacts_form=form)
    try:
        report = contacts.import_contacts(
            db.session,
            survey,
            form.contacts.data.read(contacts.MAX_FILE_BYTES + 1),
            user_actor(current_user()),
            secret=current_app.config["SECRET_KEY"].encode("utf-8"),
        )
    except contacts.ContactFileError as exc:
        form.contacts.errors.append(str(exc))
        return _page(survey, 422, contacts_form=form)
    if not report.ok:
        return _page(survey, 422, contacts_form=form, problems=report.problems)
    flash(
        _(
            "%(added)d contacts added, %(updated)d updated, %(unchanged)d unchanged; "
            "%(suppressed)d on the unsubscribe list.",
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            suppressed=report.suppressed,
        ),
        "info",
    )
    return redirect(url_for("admin.invitations", slug=slug), 303)


@bp.post("/surveys/<slug>/invitations/template")
@roles_required(*FIELDWORK_ROLES)
def invitations_template(slug: str):
    """Save the text of one mail kind in one language (checked by rendering it)."""
    survey = survey_or_404(slug)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _page(survey, 422, template_form=form)
    template = mail.Template(form.subject.data, form.text.data, form.html.data or None)
    try:
        templates.save_template(
            db.session,
            survey,
            form.kind.data,
            form.language.data,
            template,
            user_actor(current_user()),
        )
    except mail.TemplateProblem as exc:
        form.text.errors.append(_("This text cannot be used: %(problem)s", problem=str(exc)))
        return _page(survey, 422, template_form=form)
    flash(_("Text saved."), "info")
    return redirect(
        url_for("admin.invitations", slug=slug, kind=form.kind.data, lang=form.language.data), 303
    )


@bp.post("/surveys/<slug>/invitations/test-mail")
@roles_required(*FIELDWORK_ROLES)
def invitations_test_mail(slug: str):
    """Send the previewed mail to the logged-in user's own address."""
    survey = survey_or_404(slug)
    form = TestMailForm()
    if not form.validate_on_submit():
        return _page(survey, 422)
    user = signed_in_user()
    try:
        refused = templates.send_test(
            db.session, survey, form.kind.data, form.language.data, user.email, _settings()
        )
    except (sending.SendingError, mail.TemplateProblem, OSError) as exc:
        flash(_("The test mail could not be sent: %(reason)s", reason=str(exc)), "error")
    else:
        if refused:
            flash(_("The mail server refused the test mail: %(reason)s", reason=refused), "error")
        else:
            flash(_("Test mail sent to %(email)s.", email=user.email), "info")
    return redirect(
        url_for("admin.invitations", slug=slug, kind=form.kind.data, lang=form.language.data), 303
    )


@bp.post("/surveys/<slug>/invitations/send")
@roles_required(*FIELDWORK_ROLES)
def invitations_send(slug: str):
    """Start sending invitations or reminders as a background job; 303 to its progress page."""
    survey = survey_or_404(slug)
    form = SendForm()
    if not form.validate_on_submit():
        return _page(survey, 422, send_form=form)
    settings = _settings()
    if settings.smtp is None or not settings.public_url:
        form.kind.errors.append(_(NOT_CONFIGURED))
        return _page(survey, 422, send_form=form)
    if sending.count_eligible(db.session, survey, form.kind.data, settings) == 0:
        form.kind.errors.append(_("Nobody to mail today for this choice."))
        return _page(survey, 422, send_form=form)
    job, new = jobs.create_job(
        db.session, survey, "invitations", {"kind": form.kind.data}, user_actor(current_user())
    )
    if new:
        queue.enqueue_new(current_app, job.id)
    return redirect(url_for("jobs.show", slug=slug, job_id=job.id), 303)
