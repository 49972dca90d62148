from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import starts_as_workbook, upload_size_problem
from exams.banks.importing import base
from exams.banks.importing.service import DEFAULT_TOPIC
from exams.banks.models import Question, Topic

LETTERS = "ABCDEF"


class BankForm(forms.Form):
    name = forms.CharField(label=_("Bank name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    for_training = forms.BooleanField(label=_("Open to training courses"), required=False,
                                      help_text=_("Courses' practice and graded tests may then draw their questions "
                                                  "from this bank: keep exam questions in a bank that is not."))


class BankTrainingForm(forms.Form):
    for_training = forms.BooleanField(label=_("Open to training courses"), required=False)


class BankAuthorForm(forms.Form):
    author = forms.ModelChoiceField(label=_("Add a question author"), queryset=None)

    def __init__(self, *args, bank, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = (User.objects.filter(groups__name="question_author", is_active=True)
                                          .exclude(pk__in=bank.authors.values("pk")).order_by("full_name"))


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Question.Kind.choices])
    difficulty = forms.ChoiceField(label=_("Difficulty"), required=False,
                                   choices=[("", "—"), *Question.Difficulty.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Question.Status.choices])
    legal_basis = forms.ChoiceField(label=_("Legal basis"), required=False)

    def __init__(self, *args, bank, legal_bases: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = bank.topics.all()
        self.fields["legal_basis"].choices = [("", "—"), *[(b, b) for b in legal_bases]]


class QuestionForm(forms.Form):
    """Author's editor. ``to_parsed`` gives the same ParsedQuestion an import would, so one validator serves."""

    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    new_topic = forms.CharField(label=_("or a new topic"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question text (HTML allowed: bold, italic, lists, tables, images)"),
                           widget=forms.Textarea(attrs={"rows": 5}))
    correct = forms.MultipleChoiceField(label=_("Correct options"), required=False,
                                        choices=[(letter, letter) for letter in LETTERS],
                                        widget=forms.CheckboxSelectMultiple)
    accepted_answers = forms.CharField(label=_("Accepted answers (short answer; one per line)"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    scoring = forms.ChoiceField(label=_("Scoring"), choices=Question.Scoring.choices)
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=Question.Difficulty.choices,
                                   initial=base.DIFFICULTY_MEDIUM)
    level = forms.ChoiceField(label=_("Cognitive level"), choices=Question.Level.choices)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=255, required=False)
    explanation = forms.CharField(label=_("Explanation (shown in practice mode)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    keep_choice_order = forms.BooleanField(label=_("Keep choice order"), required=False)
    accent_insensitive = forms.BooleanField(label=_("Ignore accents in short answers"), required=False)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank = bank
        self.fields["topic"].queryset = bank.topics.all()
        for letter in LETTERS:
            self.fields[f"option_{letter}"] = forms.CharField(label=_("Option %(letter)s") % {"letter": letter},
                                                              required=False, max_length=1000)

    @property
    def option_fields(self):
        return [(letter, self[f"option_{letter}"]) for letter in LETTERS]

    def clean(self):
        data = super().clean()
        if not data.get("topic") and not (data.get("new_topic") or "").strip():
            self.add_error("topic", _("Choose a topic or name a new one."))
        return data

    def topic_name(self) -> str:
        topic = self.cleaned_data.get("topic")
        return topic.name if topic else (self.cleaned_data.get("new_topic") or DEFAULT_TOPIC).strip()

    def to_parsed(self) -> base.ParsedQuestion:
        data = self.cleaned_data
        kind = data.get("kind") or base.KIND_SINGLE
        choices = []
        if kind in base.CHOICE_KINDS:
            options = [(letter, (data.get(f"option_{letter}") or "").strip()) for letter in LETTERS]
            last = max((i for i, (_l, text) in enumerate(options) if text), default=-1)
            choices = [base.ParsedChoice(text, letter in (data.get("correct") or []))
                       for letter, text in options[: last + 1]]
        return base.ParsedQuestion(
            source=0, topic=self.topic_name(), kind=kind, text=data.get("text") or "", choices=choices,
            accepted_answers=[a.strip() for a in (data.get("accepted_answers") or "").splitlines() if a.strip()]
            if kind == base.KIND_SHORT else [],
            difficulty=data.get("difficulty") or base.DIFFICULTY_MEDIUM, level=data.get("level") or
            base.LEVEL_RECOGNITION, scoring=data.get("scoring") or base.SCORING_ALL_OR_NOTHING,
            keep_choice_order=bool(data.get("keep_choice_order")),
            accent_insensitive=bool(data.get("accent_insensitive")), explanation=data.get("explanation") or "",
            legal_basis=data.get("legal_basis") or "",
        )

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "topic": question.topic_id, "kind": question.kind, "text": question.text,
            "accepted_answers": "\n".join(question.accepted_answers), "scoring": question.scoring,
            "difficulty": question.difficulty, "level": question.level, "legal_basis": question.legal_basis,
            "explanation": question.explanation, "keep_choice_order": question.keep_choice_order,
            "accent_insensitive": question.accent_insensitive,
            "correct": [LETTERS[c.position] for c in question.choices.all() if c.is_correct],
        }
        for choice in question.choices.all():
            initial[f"option_{LETTERS[choice.position]}"] = choice.text
        return initial


class QuestionImportForm(forms.Form):
    """Excel, or Aiken/GIFT text; the type check follows the chosen format."""

    file = forms.FileField(label=_("File (.xlsx, or .txt for Aiken/GIFT)"))
    format = forms.ChoiceField(label=_("Format"), choices=[("excel", "Excel"), ("aiken", "Aiken"), ("gift", "GIFT")])
    topic = forms.CharField(label=_("Topic for Aiken (and GIFT without $CATEGORY)"), initial=DEFAULT_TOPIC,
                            max_length=200)
    strict_topics = forms.BooleanField(label=_("A topic missing from the bank is an error"), required=False)
    skip_unsupported = forms.BooleanField(
        label=_("Skip questions of kinds not supported here (matching, numerical, …) and import the rest"),
        required=False)

    def clean(self):
        data = super().clean()
        upload, fmt = data.get("file"), data.get("format")
        if upload is None or fmt is None:
            return data
        too_large = upload_size_problem(upload)
        if too_large:
            self.add_error("file", too_large)
        elif fmt == "excel":
            if not upload.name.lower().endswith(".xlsx") or not starts_as_workbook(upload):
                self.add_error("file", _("The file is not a real Excel workbook."))
        elif not upload.name.lower().endswith(".txt"):
            self.add_error("file", _("Aiken and GIFT files are .txt text files."))
        return data


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("retire", _("Retire")), ("move", _("Move to topic"))])
    questions = forms.ModelMultipleChoiceField(queryset=Question.objects.none())
    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.filter(bank=bank, is_current=True)
        self.fields["topic"].queryset = bank.topics.all()


class RetireLegalBasisForm(forms.Form):
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=255)
