"""Contact lists: CSV import with located errors, merged duplicates, suppression across surveys."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.models import InvitationContact
from surveyapp.services.invitations import links


def _import(runner, tmp_path, slug, text, name="contacts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return runner.invoke(args=["invite", "import", slug, str(path)])


def test_import_validates_every_row_and_imports_nothing_on_a_problem(
    runner, session, demo, tmp_path
):
    text = (
        "email;langue;src\n"
        "ana@example.org;fr;1\n"
        "not-an-address;en;1\n"
        "bob@example.org;de;2\n"
        "carla@example.org;en;7\n"
    )
    result = _import(runner, tmp_path, demo, text)
    assert result.exit_code == 1
    assert "row 3, column email: not an e-mail address" in result.output
    assert "row 4, column langue: 'de' is not a language of the survey (fr, en)" in result.output
    assert "row 5, column src: '7' is not a value of src (1, 2)" in result.output
    assert "nothing imported" in result.output
    assert session.scalars(select(InvitationContact)).all() == []


def test_unknown_column_is_located_on_the_header(runner, session, demo, tmp_path):
    result = _import(runner, tmp_path, demo, "email,segment\nana@example.org,x\n")
    assert result.exit_code == 1
    assert "row 1, column segment: not a parameter declared by the survey (declared: src)" in (
        result.output
    )


def test_import_merges_duplicates_and_keeps_attributes(runner, session, demo, tmp_path):
    text = (
        "Email,Language,src\n"
        " Ana@Example.org ,Français,2\n"
        "ana@example.org,en,1\n"
        "bob@example.org,English,\n"
        "\n"
    )
    result = _import(runner, tmp_path, demo, text, encoding="utf-8-sig")
    assert result.exit_code == 0, result.output
    assert "row 3: ana@example.org already on an earlier row (kept once)" in result.output
    assert "2 contact(s) added" in result.output
    rows = {c.email: c for c in session.scalars(select(InvitationContact))}
    assert set(rows) == {"ana@example.org", "bob@example.org"}
    assert rows["ana@example.org"].language == "fr"
    assert rows["ana@example.org"].attributes == {"source": "2"}
    assert rows["bob@example.org"].language == "en"
    assert rows["bob@example.org"].attributes == {}
    # The personal link is not stored: only a random key and the token's hash.
    secret = b"test-secret-key"
    for contact in rows.values():
        token = links.link_token(contact.link_key, secret)
        assert contact.token_hash == links.token_hash(token)
        assert token not in str(contact.__dict__)
    # A second import of the same file changes nothing.
    again = _import(runner, tmp_path, demo, text, encoding="utf-8-sig")
    assert "0 contact(s) added, 0 updated, 2 unchanged" in again.output


def test_a_file_without_an_email_column_is_refused(runner, session, demo, tmp_path):
    result = _import(runner, tmp_path, demo, "name,lang\nAna,fr\n")
    assert result.exit_code == 1
    assert "one of them `email`" in result.output


def test_list_shows_participation(runner, session, demo, tmp_path):
    _import(runner, tmp_path, demo, "email\nana@example.org\n")
    result = runner.invoke(args=["invite", "list", demo])
    assert result.exit_code == 0
    assert "ana@example.org\tfr\tpending\t0\tno\tno" in result.output
