"""The library's job subjects, so a job can point at a library or a track without the queue
knowing either model: `library.library:<id>` and `library.track:<id>`."""

from jobs.subjects import register_subject

LIBRARY = "library.library"
TRACK = "library.track"

register_subject(LIBRARY, "library.Library")
register_subject(TRACK, "library.Track")
