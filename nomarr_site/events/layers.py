"""The Redis channel layer Nomarr uses when scaled out.

channels_redis waits up to 5 s in a blocking pop on Redis, and redis-py's default read timeout
is also 5 s, so an idle connection raced its own timeout and a quiet WebSocket died with a
read timeout. Asking Redis to answer (empty) after 2 s keeps every read well inside the timeout.
"""

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer


class RedisChannelLayer(BaseRedisChannelLayer):
    brpop_timeout = 2
