"""action_answer_service and action_answer_contact: matching across languages, replies, fallback."""

from __future__ import annotations

from rasa_action_helpers import (
    FakeDocumentIndex,
    make_tracker,
    replies_of,
    run_action,
    sample_answer,
    sources_of,
    texts_of,
    with_documents,
)

from actions.contacts import ActionAnswerContact
from actions.context import ActionContext
from actions.services import ActionAnswerService
from actions.text import fold


def test_lipoink_in_czech(context: ActionContext) -> None:
    _, dispatcher = run_action(ActionAnswerService(context), make_tracker("Čím se zabývá Lipo.ink?"))
    text = fold(" ".join(texts_of(dispatcher)))
    assert "inkubator" in text
    assert sources_of(dispatcher)[0]["file"] == "2022-11-24_ma21-zdravy-liberecky-kraj.txt"
    # No contact details are in the documents: the reply says so and where to ask.
    assert replies_of(dispatcher)[-1] == "contact_not_in_documents"


def test_lipoink_in_german_is_answered_in_german(context: ActionContext) -> None:
    _, dispatcher = run_action(
        ActionAnswerService(context), make_tracker("Womit beschäftigt sich Lipo.ink?", lang="de")
    )
    text = " ".join(texts_of(dispatcher))
    assert "Unternehmensinkubator" in text
    assert "Quelle:" in text


def test_polish_question_about_investment_land_finds_the_portal(context: ActionContext) -> None:
    tracker = make_tracker("Szukam gruntu pod nową halę produkcyjną, kto doradzi?", lang="pl")
    _, dispatcher = run_action(ActionAnswerService(context), tracker)
    text = fold(" ".join(texts_of(dispatcher)))
    assert "investuj pod jestedem" in text
    assert "teren" in text or "inwestyc" in text


def test_czech_brownfield_question_finds_the_portal_without_its_name(context: ActionContext) -> None:
    matches = context.service_matcher.match("Chceme postavit továrnu, kde jsou volné parcely?", "cs")
    assert matches[0].service.id == "investuj_pod_jestedem"


def test_organisation_entity_wins_over_the_wording(context: ActionContext) -> None:
    tracker = make_tracker("a co dělají oni?", entities=[("organisation", "ARR")])
    _, dispatcher = run_action(ActionAnswerService(context), tracker)
    assert "ARR" in texts_of(dispatcher)[0]


def test_service_with_url_and_contact_gives_both(context: ActionContext) -> None:
    _, dispatcher = run_action(ActionAnswerService(context), make_tracker("Co je Zdravý Liberecký kraj?"))
    text = " ".join(texts_of(dispatcher))
    assert "http://www.ZdravyLibereckyKraj.cz" in text
    assert "Ivana.Hujerova@kraj-lbc.cz" in text


def test_unrelated_question_falls_back_to_the_documents(document_context: ActionContext) -> None:
    tracker = make_tracker("Jak často se okopávají záhony?")
    _, dispatcher = run_action(ActionAnswerService(document_context), tracker)
    assert replies_of(dispatcher) == ["document_answer"]
    assert "každé úterý" in texts_of(dispatcher)[0]


def test_unrelated_question_without_document_answer_says_so(empty_document_context: ActionContext) -> None:
    tracker = make_tracker("Kde si vyřídím řidičský průkaz?")
    _, dispatcher = run_action(ActionAnswerService(empty_document_context), tracker)
    assert replies_of(dispatcher) == ["no_answer"]
    assert "řidičský průkaz" in texts_of(dispatcher)[0]


def test_contact_with_details(context: ActionContext) -> None:
    tracker = make_tracker("Jaký je kontakt na koordinátorku MA21?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(context), tracker)
    text = texts_of(dispatcher)[0]
    assert "485 226 722" in text and "Ivana.Hujerova@kraj-lbc.cz" in text
    assert sources_of(dispatcher)


def test_contact_the_documents_do_not_give(context: ActionContext) -> None:
    tracker = make_tracker("Jaký je telefon na ARR?", intent="ask_contact", lang="de")
    _, dispatcher = run_action(ActionAnswerContact(context), tracker)
    assert replies_of(dispatcher) == ["contact_not_in_documents"]
    text = texts_of(dispatcher)[0]
    assert "ARR" in text and "Kreisamt" in text


def test_contact_for_unknown_organisation_names_the_question(context: ActionContext) -> None:
    tracker = make_tracker("Telefon na finanční úřad v Kolíně?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(context), tracker)
    assert replies_of(dispatcher) == ["contact_no_match"]
    assert "finanční úřad v Kolíně" in texts_of(dispatcher)[0]


def test_every_service_is_found_by_its_own_name_in_every_language(context: ActionContext) -> None:
    matcher = context.service_matcher
    for service in context.knowledge.services.values():
        for lang in ("cs", "de", "pl"):
            found = matcher.match(f"{service.name.get(lang)}?", lang)
            assert found and found[0].service.id == service.id, (service.id, lang)


def test_contact_named_in_an_inflected_form(context: ActionContext) -> None:
    tracker = make_tracker("Na koho se obrátit ohledně místní Agendy 21?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(context), tracker)
    assert replies_of(dispatcher) == ["contact_details"]
    assert "Ivana Hujerová" in texts_of(dispatcher)[0]


def test_service_question_about_a_named_person_gives_the_contact(context: ActionContext) -> None:
    _, dispatcher = run_action(ActionAnswerService(context), make_tracker("Kdo je Ivana Hujerová?"))
    assert replies_of(dispatcher) == ["contact_details"]


def test_contact_of_a_programme_named_in_a_short_inflected_form(context: ActionContext) -> None:
    # "Zdravého kraje": "kraje" is one inflection letter from "kraj".
    tracker = make_tracker("Jaký je kontakt na koordinátorku Zdravého kraje?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(context), tracker)
    assert replies_of(dispatcher) == ["contact_details"]
    assert "Ivana.Hujerova@kraj-lbc.cz" in texts_of(dispatcher)[0]


def test_a_who_question_the_contact_list_cannot_answer_goes_to_the_documents(context: ActionContext) -> None:
    documents = FakeDocumentIndex(answers={"záhon": sample_answer()})
    tracker = make_tracker("Kdo v krajských zahradách okopává záhony?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(with_documents(context, documents)), tracker)
    assert replies_of(dispatcher) == ["document_answer"]
    assert "každé úterý" in texts_of(dispatcher)[0]


def test_a_contact_with_details_is_given_without_asking_the_documents(context: ActionContext) -> None:
    documents = FakeDocumentIndex(answers={"koordinátor": sample_answer()})
    tracker = make_tracker("Jaký je kontakt na koordinátorku MA21?", intent="ask_contact")
    _, dispatcher = run_action(ActionAnswerContact(with_documents(context, documents)), tracker)
    assert documents.calls == [] and "485 226 722" in texts_of(dispatcher)[0]
