"""`plan check`: the drafting rules reviewers care about, over the chapters' source text.

Each rule is a small function registered under its code (registry.py); its title, wrong and right
examples and its severity per version are in styles/rules.yaml, the agency codes, preferred terms
and units in styles/glossary.yaml. Positions are those of the chapter file (front matter included).
"""
from __future__ import annotations

# Importing the rule modules registers their rules, in this order.
from . import (punctuation, pairs, connecting, docnumbers, numbers, dates, consistency,  # noqa: F401
               wording, structure, data_rules)
from . import linkage  # noqa: F401  (衔接: D703)
from .fix import fix_plan
from .report import JSON_KEYS, rules_table, summary, to_json, to_text
from .runner import Finding, check_plan
from .wording import TODO_CODE

__all__ = ["Finding", "JSON_KEYS", "TODO_CODE", "check_plan", "fix_plan", "rules_table", "summary", "to_json",
           "to_text"]
