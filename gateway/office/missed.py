"""The questions the assistant could not answer: recorded as they happen, grouped for the office.

Recorded by the gateway (it sees every reply): a reply marked ``{"outcome": "no_answer"}`` by the action
server (the documents do not answer, also after an NLU fallback), an empty reply, and a handover to a person
(``{"outcome": "handover", "question": ...}``). Grouped by similar question with the e5 embeddings the
document search uses (docsearch.embeddings; each question is embedded once and the vector kept), and counted
by ISO week and language, so the office sees which documents or knowledge entries are missing.
"""

import asyncio
import csv
import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.office.database import missed_questions
from gateway.payloads import looks_like_payload

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1_000
# Cosine similarity of e5 query vectors from which two questions count as the same question. On the
# wordings of tests/app/office/test_office_missed.py (16 questions, 4 topics, cs/de/pl): two wordings of one
# question in one language 0.913 to 0.993, questions of different topics at most 0.856. The same question
# in two languages falls either side (boiler grant cs/pl 0.92: one group; ferry de/cs 0.87: two). Known
# limit: one template with another topic ("the form for sport grants" / "... for culture grants") reaches
# 0.94 to 0.95.
SIMILAR = 0.90
# The newest questions the page and the CSV group at most (filter by week for older ones).
MAX_GROUPED = 5_000

Embedder = Callable[[list[str]], np.ndarray]


def channel_of(sender: str) -> str:
    return sender.partition("-")[0] if sender.startswith(("web-", "telegram-")) else "other"


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class MissedQuestion:
    id: int
    asked_at: datetime
    language: str
    channel: str
    kind: str
    question: str

    @property
    def week(self) -> str:
        return iso_week(self.asked_at)


@dataclass
class QuestionGroup:
    number: int
    questions: list[MissedQuestion] = field(default_factory=list)

    @property
    def representative(self) -> str:
        """The most often asked wording (the first asked among equals)."""
        wordings = Counter(question.question.strip().lower() for question in self.questions)
        top, _ = wordings.most_common(1)[0]
        return next(
            question.question for question in self.questions if question.question.strip().lower() == top
        )

    def wordings(self) -> list[tuple[str, int]]:
        """Each distinct wording (case aside) with how often it was asked, in the order first asked."""
        counts = Counter(question.question.strip().lower() for question in self.questions)
        seen: dict[str, str] = {}
        for question in self.questions:
            seen.setdefault(question.question.strip().lower(), question.question)
        return [(wording, counts[key]) for key, wording in seen.items()]

    def count_by(self, attribute: str) -> list[tuple[str, int]]:
        return sorted(Counter(getattr(question, attribute) for question in self.questions).items())

    @property
    def last_asked(self) -> datetime:
        return max(question.asked_at for question in self.questions)


def group_similar(
    questions: list[MissedQuestion], vectors: np.ndarray, similar: float = SIMILAR
) -> list[QuestionGroup]:
    """Leader clustering: each question joins the group whose mean vector is nearest, when at least `similar`;
    otherwise it starts a group. Largest groups first."""
    groups: list[QuestionGroup] = []
    sums: list[np.ndarray] = []
    for question, vector in zip(questions, vectors, strict=True):
        best, best_score = -1, similar
        if sums:
            centroids = np.vstack(sums)
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
            scores = centroids @ vector
            index = int(np.argmax(scores))
            if scores[index] >= best_score:
                best = index
        if best < 0:
            groups.append(QuestionGroup(number=len(groups) + 1))
            sums.append(np.array(vector, dtype=np.float32))
            best = len(groups) - 1
        else:
            sums[best] = sums[best] + vector
        groups[best].questions.append(question)
    groups.sort(key=lambda group: (-len(group.questions), group.number))
    for number, group in enumerate(groups, start=1):
        group.number = number
    return groups


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class MissedQuestions:
    def __init__(self, engine: Engine, embed: Embedder | None = None) -> None:
        self._engine = engine
        self._embed = embed

    async def record(self, question: str, language: str, channel: str, kind: str) -> None:
        """Store one question (never raises: a failed record must not fail the resident's reply)."""
        question = question.strip()
        if not question or looks_like_payload(question):
            return
        try:
            await asyncio.to_thread(self.add, question, language, channel, kind)
        except SQLAlchemyError:
            log.exception("a missed question was not recorded")

    def add(
        self, question: str, language: str, channel: str, kind: str, asked_at: datetime | None = None
    ) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(missed_questions).values(
                    asked_at=asked_at or datetime.now(timezone.utc),
                    language=language,
                    channel=channel,
                    kind=kind,
                    question=question[:MAX_QUESTION_CHARS],
                )
            )
        return int(result.inserted_primary_key[0])

    def matching(self, week: str = "", language: str = "", limit: int | None = None) -> list[MissedQuestion]:
        """The recorded questions, oldest first, of one ISO week and/or language when given."""
        table = missed_questions
        query = select(
            table.c.id, table.c.asked_at, table.c.language, table.c.channel, table.c.kind, table.c.question
        ).order_by(table.c.asked_at.desc(), table.c.id.desc())
        if language:
            query = query.where(table.c.language == language)
        if week:
            start = date.fromisoformat(f"{week}-1")
            query = query.where(
                table.c.asked_at >= datetime(start.year, start.month, start.day, tzinfo=timezone.utc),
                table.c.asked_at < datetime.fromordinal(start.toordinal() + 7).replace(tzinfo=timezone.utc),
            )
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        found = [
            MissedQuestion(row.id, _aware(row.asked_at), row.language, row.channel, row.kind, row.question)
            for row in rows
        ]
        found.reverse()
        return found

    def weeks(self) -> list[str]:
        with self._engine.connect() as connection:
            moments = connection.execute(select(missed_questions.c.asked_at)).scalars().all()
        return sorted({iso_week(_aware(moment)) for moment in moments}, reverse=True)

    def vectors(self, questions: list[MissedQuestion]) -> np.ndarray:
        """The e5 vectors of ``questions``: stored ones read, missing ones made now and stored."""
        if self._embed is None:
            raise RuntimeError("no embedder configured")
        ids = [question.id for question in questions]
        with self._engine.connect() as connection:
            stored = dict(
                connection.execute(
                    select(missed_questions.c.id, missed_questions.c.embedding).where(
                        missed_questions.c.id.in_(ids)
                    )
                ).all()
            )
        missing = [question for question in questions if stored.get(question.id) is None]
        if missing:
            made = self._embed([question.question for question in missing])
            with self._engine.begin() as connection:
                for question, vector in zip(missing, made, strict=True):
                    data = np.asarray(vector, dtype=np.float32).tobytes()
                    stored[question.id] = data
                    connection.execute(
                        update(missed_questions)
                        .where(missed_questions.c.id == question.id)
                        .values(embedding=data)
                    )
        return (
            np.vstack([np.frombuffer(stored[question.id], dtype=np.float32) for question in questions])
            if questions
            else np.zeros((0, 0), dtype=np.float32)
        )

    def groups(self, week: str = "", language: str = "") -> list[QuestionGroup]:
        questions = self.matching(week, language, limit=MAX_GROUPED)
        return group_similar(questions, self.vectors(questions)) if questions else []


def summary(questions: Iterable[MissedQuestion]) -> dict[tuple[str, str], int]:
    """How many questions per (ISO week, language)."""
    return dict(Counter((question.week, question.language) for question in questions))


CSV_COLUMNS = ("group", "group_question", "week", "language", "channel", "kind", "asked_at", "question")


def as_csv(groups: list[QuestionGroup]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for group in groups:
        representative = group.representative
        for question in group.questions:
            writer.writerow(
                (
                    group.number,
                    _cell(representative),
                    question.week,
                    question.language,
                    question.channel,
                    question.kind,
                    question.asked_at.isoformat(timespec="seconds"),
                    _cell(question.question),
                )
            )
    return out.getvalue()


def _cell(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in a spreadsheet (CSV injection); a ' keeps it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
