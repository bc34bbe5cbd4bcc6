"""bot/domain/forms.yml, bot/data/content.yml and actions/replies.yml fit together, in three languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa_action_helpers import REPO_ROOT

from actions.replies import RepliesError, load_replies, variable_names
from textkit import fold

FORMS_FILE = REPO_ROOT / "bot" / "domain" / "forms.yml"
CONTENT_FILE = REPO_ROOT / "bot" / "data" / "content.yml"
REPLIES_FILE = REPO_ROOT / "actions" / "replies.yml"
ACTIONS_DIR = REPO_ROOT / "actions"
LANGUAGES = {"cs", "de", "pl"}
NO_ANSWER_REPLIES = ("no_answer", "grant_none", "contact_not_in_documents")


def domain_responses() -> dict[str, list[dict[str, object]]]:
    return yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))["responses"]


def replies() -> dict[str, dict[str, object]]:
    return load_replies(str(REPLIES_FILE))


def test_domain_loads_in_rasa() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(FORMS_FILE))
    assert set(domain.form_names) == {"grant_form", "handover_form"}
    assert {"language", "applicant_type", "grant_topic", "handover_question", "handover_contact"} <= {
        slot.name for slot in domain.slots
    }


@pytest.mark.parametrize("name", sorted(domain_responses()))
def test_every_domain_response_has_one_variation_per_language_with_the_same_variables(name: str) -> None:
    variations = domain_responses()[name]
    languages = [condition["value"] for variation in variations for condition in variation["condition"]]
    assert sorted(languages) == sorted(LANGUAGES)
    assert len({frozenset(variable_names(str(variation["text"]))) for variation in variations}) == 1


def test_every_reply_an_action_sends_is_defined() -> None:
    used: set[str] = set()
    for path in ACTIONS_DIR.glob("*.py"):
        used |= set(re.findall(r'utter\(\s*dispatcher,\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(used) >= 20, used
    assert used <= set(replies())


def test_every_form_slot_has_an_ask_action_and_a_question() -> None:
    domain = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))
    for form in domain["forms"].values():
        for slot in form["required_slots"]:
            assert f"action_ask_{slot}" in domain["actions"]
            assert f"ask_{slot}" in replies()


@pytest.mark.parametrize("name", NO_ANSWER_REPLIES)
def test_no_answer_replies_carry_no_figures(name: str) -> None:
    for reply in replies()[name].values():
        assert not re.search(r"\d", reply.text)


# Plain phrases by which a reply says it has no answer, folded (lower case, no diacritics): what a user (and
# ../shared/eval's scoring) reads as "the documents do not say". Every language's no-answer reply needs one.
PLAIN_NO_ANSWER = {
    "cs": ("neodpovid", "neuvadi", "neuvadej", "neobsahuj", "nevim", "bohuzel"),
    "de": ("leider", "keine", "nicht beantwort"),
    "pl": ("nie odpowiad", "niestety", "nie zawier", "brak informacji"),
}



@pytest.mark.parametrize("name", NO_ANSWER_REPLIES)
def test_no_answer_replies_say_so_plainly_in_every_language(name: str) -> None:
    for lang, reply in replies()[name].items():
        folded = fold(reply.text)
        assert any(marker in folded for marker in PLAIN_NO_ANSWER[lang]), (lang, reply.text)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("no_answer:\n  cs: 'Nevím.'\n  de: 'Weiß nicht.'\n", "reply 'no_answer': language 'pl'"),
        ("no_answer:\n  cs: '{question}'\n  de: '{frage}'\n  pl: '{question}'\n", "different variables"),
        ("no_answer:\n  cs: 'a'\n  de: 'b'\n  pl: 'c'\n  en: 'd'\n", "unknown language 'en'"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_broken_replies_file_is_rejected_with_the_reply_and_language(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "replies.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RepliesError, match=re.escape(problem)):
        load_replies(str(path))


def test_rules_load_and_use_domain_actions() -> None:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    steps = YAMLStoryReader().read_from_file(str(CONTENT_FILE))
    assert len(steps) >= 10
    domain = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))
    known = (
        set(domain["actions"]) | set(domain["forms"]) | set(domain["responses"]) | {"action_deactivate_loop"}
    )
    rule_actions = set(re.findall(r"- action: (\w+)", CONTENT_FILE.read_text(encoding="utf-8")))
    assert rule_actions <= known
