"""Forms of the lesson pages: the lesson itself, an attached file, a video upload, the learner's beat."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from courses.uploads import MATERIAL, VIDEO, CheckedFile, check_upload


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    body = forms.CharField(label=_("Text"), required=False, max_length=200_000,
                           help_text=_("Plain text (a blank line between paragraphs) or simple HTML: headings, "
                                       "lists, tables, links. Anything else is removed."),
                           widget=forms.Textarea(attrs={"rows": 14}))
    video_url = forms.URLField(label=_("Video link"), required=False, max_length=500, assume_scheme="https",
                               help_text=_("A link to the video (https), or upload a file below."))
    minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=600, initial=15)
    periods = forms.IntegerField(label=_("Periods"), min_value=0, max_value=60, initial=0)

    def clean_video_url(self) -> str:
        url = self.cleaned_data["video_url"]
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(_("Give a link starting with https://."))
        return url


class LessonFileForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, Word, PowerPoint)"), required=False)

    def clean_file(self) -> CheckedFile:
        return check_upload(self.cleaned_data.get("file"), kinds=MATERIAL, max_bytes=settings.COURSE_FILE_MAX_BYTES)


class LessonVideoForm(forms.Form):
    video = forms.FileField(label=_("Video file (MP4 or WebM)"), required=False)

    def clean_video(self) -> CheckedFile:
        return check_upload(self.cleaned_data.get("video"), kinds=VIDEO, max_bytes=settings.COURSE_VIDEO_MAX_BYTES)
