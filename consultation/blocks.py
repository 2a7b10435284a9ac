"""StreamField blocks for a section's body. One StreamBlock, each block with its template."""

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ParagraphBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        template = "consultation/blocks/paragraph.html"
        label = "Paragraph"


class ClausesBlock(blocks.StructBlock):
    """Numbered clauses: the parts of a proposal people cite by number."""

    clauses = blocks.ListBlock(blocks.RichTextBlock(features=TEXT_FEATURES, label="Clause"))

    class Meta:
        icon = "list-ol"
        template = "consultation/blocks/clauses.html"
        label = "Numbered clauses"


class QuestionBlock(blocks.StructBlock):
    """A question the policy team puts to consultees."""

    question = blocks.CharBlock(max_length=400)
    guidance = blocks.TextBlock(required=False, help_text="Optional: what kind of answer helps.")

    class Meta:
        icon = "help"
        template = "consultation/blocks/question.html"
        label = "Question to consultees"


class CaptionedTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(max_length=200, help_text="Says what the table shows; read out first.")
    table = TableBlock(table_options={"startRows": 3, "startCols": 3})

    class Meta:
        icon = "table"
        template = "consultation/blocks/table.html"
        label = "Table"


class SectionBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock(features=TEXT_FEATURES)
    clauses = ClausesBlock()
    question = QuestionBlock()
    table = CaptionedTableBlock()
