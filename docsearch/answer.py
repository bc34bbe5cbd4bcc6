"""Answer composition: the whole sentence(s) or list items of the best passage that answer the question.

What is quoted depends on what the question asks for: one sentence holding a date for "when", an amount for
"how much", a person or organisation for "who"; the introducing sentence with its items for "which areas";
one or two sentences for "what is". A quote is never a fragment: a sentence cut by the chunker, which starts
in lower case, is quoted from its real start, and a sentence that introduces a list ("... in 9 pilot
projects:") comes with the list, also when the chunker put the items into the next passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from docsearch.ingest import passage_sentences
from docsearch.questions import MONEY_IN_TEXT, NUMBER_IN_TEXT, QuestionKind, holds_kind, list_items
from docsearch.search import Candidate, Hit, QueryVariant, Ranking, Searcher, coverage, logit
from docsearch.store import Store, decode_sentences
from textkit import fold, search_terms

# A passage of at most this many sentences and characters is quoted whole: it answers as a whole.
WHOLE_PASSAGE_SENTENCES = 3
WHOLE_PASSAGE_CHARS = 400
# How far below the best sentence another sentence may score and still be quoted with it.
SENTENCE_MARGIN = 0.03
# Further passages are quoted too when their re-ranker logit is at most this far below the best one's, at
# most RUNNERS_UP of them (chosen on the dev split: 3.0 and 2 answer 0.84 of its document questions with two
# quotes on average; one runner-up 0.78, three 0.88 with 2.2 quotes and longer replies).
RUNNER_UP_MARGIN = 3.0
RUNNERS_UP = 2
# A section heading at most this long that is not numbered is a label its passage is quoted under.
LABEL_CHARS = 40
LIST_ITEMS_QUOTED = 12
LIST_ITEM_CHARS = 160
_SINGLE_FACT = ("amount", "count", "date", "frequency", "person", "place")


@dataclass(frozen=True)
class Answer:
    quote: str
    hit: Hit  # the passage that answers best
    sources: list[dict[str, str]]  # one per quoted passage, the best first
    also: tuple[Hit, ...] = ()  # further passages quoted after the best (the runners-up)


def _is_item(sentence: str) -> bool:
    return len(sentence) <= LIST_ITEM_CHARS and not sentence.endswith((".", ":"))


def _list_after(sentences: list[str], intro: int) -> list[int]:
    """Indexes of the list items after the introducing sentence `intro`; at least the next sentence."""
    items: list[int] = []
    for i in range(intro + 1, min(len(sentences), intro + 1 + LIST_ITEMS_QUOTED)):
        if items and not _is_item(sentences[i]):
            break
        items.append(i)
    return items


def _list_open_at_end(sentences: list[str], keep: set[int]) -> bool:
    """Whether the quoted sentences end by introducing a list (":") or inside its items, so that the list may
    go on in the next passage."""
    intro = max((i for i in keep if sentences[i].endswith(":")), default=-1)
    if intro < 0:
        return False
    return all(_is_item(sentences[i]) for i in range(intro + 1, len(sentences)))


def _labelled(section: str, quote: str) -> str:
    """The quote after its section's last heading when that is a short label ("Rada Libereckého kraje",
    "Energetika", "VIZE"): the items under it say what that body does or what that area needs, and without
    the label the reader cannot tell whose they are. Numbered chapter titles and long headings are left out;
    so is a label the quote already holds."""
    label = section.rsplit(" > ", 1)[-1].strip()
    if not label or len(label) > LABEL_CHARS or label[:1].isdigit() or fold(label) in fold(quote):
        return quote
    return f"{label}: {quote}"


def starts_mid_sentence(sentence: str) -> bool:
    first = sentence.lstrip("\"'„“»(")[:1]
    return first.isalpha() and first.islower()


class Composer:
    def __init__(self, store: Store, searcher: Searcher) -> None:
        self.store = store
        self.searcher = searcher

    def answer(self, query: str, lang: str | None = None) -> Answer | None:
        """The composed answer with its citations; None when the documents do not answer: the answerability
        model is below its threshold, or the question wants an amount or a count that no good passage has."""
        return self.answer_ranked(self.searcher.rank(query, lang))

    def answer_ranked(self, ranking: Ranking) -> Answer | None:
        """The answer from a ranking already made (a caller that also shows the hits ranks once)."""
        threshold = self.searcher.settings.threshold
        if ranking.answerable < threshold:
            return None
        settings = self.searcher.settings
        best_logit = logit(ranking.candidates[0].features, settings)
        for position, candidate in enumerate(ranking.candidates[:3]):
            if logit(candidate.features, settings) < best_logit - RUNNER_UP_MARGIN:
                break
            quote = self.compose(ranking, candidate)
            if not self._states_the_fact(ranking, quote):
                continue
            hit = self.searcher.hit(candidate, ranking.language)
            also: list[Hit] = []
            # Further passages nearly as likely to answer (another passage saying the other half, or the
            # re-ranker unsure between them) are quoted after the best, each with its own citation: on the
            # dev split the right passage is first for two questions in three, among the first three for
            # nine in ten, and the margin keeps a confident ranking to one quote.
            for runner_up in ranking.candidates[position + 1 :]:
                close = logit(runner_up.features, settings) >= best_logit - RUNNER_UP_MARGIN
                if len(also) == RUNNERS_UP or not close:
                    break
                more = self.compose(ranking, runner_up)
                if more and more not in quote and quote not in more:
                    quote = f"{quote} … {more}"
                    also.append(self.searcher.hit(runner_up, ranking.language))
            sources = [h.source() for h in (hit, *also)]
            return Answer(quote=quote, hit=hit, sources=sources, also=tuple(also))
        return None

    @staticmethod
    def _states_the_fact(ranking: Ranking, quote: str) -> bool:
        """"How much did it cost", "how many": a quote without an amount or a number does not answer,
        however close its words are; the next good candidate may have the figure. The documents never get an
        invented one. (Also asking that the figure stand next to the question's topic words lost more right
        answers than it stopped wrong ones on the dev split.)"""
        pattern = {"amount": MONEY_IN_TEXT, "count": NUMBER_IN_TEXT}.get(ranking.kind.asks_for)
        return pattern is None or bool(pattern.search(fold(quote)))

    def compose(self, ranking: Ranking, candidate: Candidate) -> str:
        """The sentences of the candidate's passage that answer, after the label its passage stands under."""
        return _labelled(candidate.row["section"], self._sentences_that_answer(ranking, candidate))

    def _sentences_that_answer(self, ranking: Ranking, candidate: Candidate) -> str:
        row = candidate.row
        text: str = row["text"]
        spans = decode_sentences(row)
        sentences = passage_sentences(text, spans)
        if not sentences:
            return text.strip()
        kind = ranking.kind
        whole = len(sentences) <= WHOLE_PASSAGE_SENTENCES and len(text) <= WHOLE_PASSAGE_CHARS
        if whole and not starts_mid_sentence(sentences[0]):
            keep_all = set(range(len(sentences)))
            quote = " ".join(sentences)
            return self._with_next_list(row, quote) if _list_open_at_end(sentences, keep_all) else quote
        scores = self._sentence_scores(row["id"], sentences, kind, ranking.variants, row["section"])
        best = max(range(len(sentences)), key=lambda i: scores[i])
        keep = {best}
        in_list = _is_item(sentences[best]) and list_items("\n".join(sentences)) >= 3
        if kind.asks_for == "list" or sentences[best].endswith(":") or in_list:
            # The list the best sentence introduces or belongs to ("who sits in the group": its members).
            keep |= self._list_of(sentences, best)
        else:
            # A second sentence close to the best answers too (a date and what happened on it, two figures).
            ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
            keep |= {i for i in ranked[:2] if scores[i] >= scores[best] - SENTENCE_MARGIN}
        # A table row is read with the table's header row.
        if " | " in sentences[0] and any(" | " in sentences[i] for i in keep):
            keep.add(0)
        # A sentence that continues the one before it (starts in lower case) is quoted from that one on.
        for i in sorted(keep):
            j = i
            while j > 0 and starts_mid_sentence(sentences[j]):
                j -= 1
                keep.add(j)
        quote = " ".join(sentences[i] for i in sorted(keep))
        if min(keep) == 0 and starts_mid_sentence(sentences[0]):
            quote = self._sentence_start_before(row) + quote
        if max(keep) == len(sentences) - 1 and _list_open_at_end(sentences, keep):
            quote = self._with_next_list(row, quote)
        return quote

    def _sentence_scores(
        self,
        passage_id: int,
        sentences: list[str],
        kind: QuestionKind,
        variants: list[QueryVariant],
        section: str,
    ) -> list[float]:
        vectors = self.store.sentence_vectors([passage_id]).get(passage_id)
        queries = [self._query_vector(v.text) for v in variants]
        scores: list[float] = []
        for i, sentence in enumerate(sentences):
            similarity = max(float(vectors[i] @ q) for q in queries) if vectors is not None else 0.0
            words = set(search_terms(section + " " + sentence))
            overlap = max(coverage(v.terms, words) for v in variants) if variants else 0.0
            evidence = (
                0.05 if kind.asks_for in _SINGLE_FACT and holds_kind(kind, fold(sentence), sentence) else 0.0
            )
            scores.append(similarity + 0.1 * overlap + evidence)
        return scores

    @staticmethod
    def _query_vector(text: str) -> np.ndarray:
        from docsearch import embeddings

        return embeddings.embed_query(text)

    @staticmethod
    def _list_of(sentences: list[str], best: int) -> set[int]:
        """The list the best sentence belongs to: its introducing sentence and its items."""
        intro = best
        while intro > 0 and _is_item(sentences[intro]) and not sentences[intro].endswith(":"):
            intro -= 1
        if sentences[intro].endswith(":") or list_items("\n".join(sentences)) >= 3:
            return {intro, *_list_after(sentences, intro)}
        return {best}

    def _with_next_list(self, row: dict, quote: str) -> str:
        """A quote whose list is open at the passage's end gets the items the chunker put into the next
        passage of the same section."""
        with self.store.lock:
            following = self.store.neighbour(row["id"], +1)
            if following is None and quote.rstrip().endswith(":"):
                # "... the vision reads:" and the vision under the next heading.
                following = self.store.neighbour(row["id"], +1, same_section=False)
        if not following:
            return quote
        if following["section"] != row["section"]:
            heading = following["section"].rsplit(" > ", 1)[-1]
            return f"{quote.rstrip()} {heading}: {following['text'].strip()}"
        items_text = passage_sentences(following["text"], decode_sentences(following))
        items = [items_text[i - 1] for i in _list_after(["intro:", *items_text], 0)]
        if not items or any(len(item) > LIST_ITEM_CHARS for item in items):
            return quote
        return quote.rstrip() + " " + "; ".join(items)

    def _sentence_start_before(self, row: dict) -> str:
        """The start of a sentence the chunker cut: the document text from the last sentence end before the
        passage up to it (at most 400 characters back)."""
        with self.store.lock:
            source = self.store.source_text_of_passage(row["id"])
        before = source[max(0, row["start"] - 400) : row["start"]]
        cut = max(before.rfind(". "), before.rfind(".\n"), before.rfind("\n\n"), before.rfind(":\n"))
        piece = before[cut + 1 :] if cut >= 0 else before
        return " ".join(piece.split()) + " " if piece.strip() else ""
