"""Coordinators' questions in plain language (zh, en): parsed by rule, answered in jurisdiction.

`grammar` turns text into a `Query` (or a `Clarify` when vague — never a guessed number) with
`vocab` (the words), `units` (the tree's names) and `periods` (in the deployment's zone);
`split` cuts a message holding several questions into them, `query` holds the SQL (one
meaning per figure, docs/statistics.md), `ask` answers within the asker's jurisdiction and
`render` puts the answer in words. The digest reuses `Tree`, `jurisdiction` and `count`.
"""

from __future__ import annotations

from dispatch.reporting.questions.ask import (
    LIST_LIMIT,
    Answer,
    Refusal,
    Result,
    answer,
    answer_each,
)
from dispatch.reporting.questions.grammar import (
    DEFAULT_ZONE,
    Clarify,
    Metric,
    Query,
    Tree,
    names,
    parse,
)
from dispatch.reporting.questions.query import (
    Figure,
    Jurisdiction,
    TicketRow,
    count,
    in_scope,
    jurisdiction,
    load_tree,
    overdue_now,
)
from dispatch.reporting.questions.render import render

__all__ = ["DEFAULT_ZONE", "LIST_LIMIT", "Answer", "Clarify", "Figure", "Jurisdiction", "Metric",
           "Query", "Refusal", "Result", "TicketRow", "Tree", "answer", "answer_each", "count",
           "in_scope",
           "jurisdiction", "load_tree", "names", "overdue_now", "parse", "render"]
