"""The library's job subjects, so a job can point at a library or a track without the queue
knowing any of the models: `library.library:<id>`, `library.track:<id>` and
`library.series:<id>` and `library.import:<id>` (an import queue item)."""

from jobs.subjects import register_subject

LIBRARY = "library.library"
TRACK = "library.track"
SERIES = "library.series"
IMPORT = "library.import"

register_subject(LIBRARY, "library.Library")
register_subject(TRACK, "library.Track")
register_subject(SERIES, "library.Series")
register_subject(IMPORT, "library.ImportItem")
