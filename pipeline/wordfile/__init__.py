"""The one reader of Word files (.docx, .docm, .dotx) that came from outside or that the
pipeline wrote: review, diff and import read through it.

    with open_word(path) as word:     # safefile checks; main part via _rels/.rels; Strict → transitional
        word.main                     # the main part's root (w:document)
        word.parts("footnotes")       # [(part name, root)] of a relationship type: footnotes, endnotes,
                                      # comments, commentsExtended, header, footer
        word.properties               # custom properties (PlanVersion, SourceCommit, …), lastModifiedBy
        read_marks(word)              # ReturnedDocument: every comment and tracked change (Mark)
        count_marks(word)             # comments + change elements, counted before any walking
    view(root, ACCEPTED)              # AS_IS / ACCEPTED / REJECTED view of a part with tracked changes
    paragraph_texts(root)             # the text of each body paragraph after the front matter

Everything raises safefile.FileRefused (a PlanError, code E901) with one Chinese sentence for a file
that cannot be read safely: encrypted, damaged, a zip bomb, DTDs, too many items.
"""
from .marks import Mark, ReturnedDocument, count_marks, read_marks, read_returned
from .package import WordFile, open_word
from .revisions import (ACCEPTED, AS_IS, REJECTED, document_xml, paragraph_texts,
                        resolve_revisions, view)

__all__ = ["ACCEPTED", "AS_IS", "REJECTED", "Mark", "ReturnedDocument", "WordFile",
           "count_marks", "document_xml", "open_word", "paragraph_texts", "read_marks",
           "read_returned", "resolve_revisions", "view"]
