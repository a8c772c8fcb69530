"""Diff stage: two versions of a plan → a tracked-changes .docx and the 修改对照表."""
from .compare import ChangeRecord, DiffResult, compare, diff_inlines
from .run import DEFAULT_AUTHOR, NOTES_FILE, DiffOutputs, diff_plan

__all__ = ["ChangeRecord", "DiffResult", "compare", "diff_inlines", "DEFAULT_AUTHOR",
           "NOTES_FILE", "DiffOutputs", "diff_plan"]
