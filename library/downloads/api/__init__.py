"""The download queue's API in Aniworld's shapes (`/api/queue/*`)."""
