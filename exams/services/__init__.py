"""State changes of the exam engine. Other apps (courses, contests) call these, never the models' save()."""
