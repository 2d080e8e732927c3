"""Django's Redis cache, made to survive Redis being away (restart, failover, a hung connection).

Everything Candor caches can be recomputed, so while Redis is unreachable a read is a miss and a write is
dropped: pages get slower, submissions still succeed. ``add`` answers "not added": callers use it to claim
something (allauth's rate-limit lock, a pending theme rebuild), and an unprovable claim must not be granted. So
rate-limited actions (login, login codes, password reset, two-factor) are refused with allauth's 429 page until
Redis is back, rather than running without their limits. Failures are logged by operation, never by key: keys
can hold a client address (allauth's rate-limit keys).
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError)


def _on_outage(answer):
    """Run the cache operation; while Redis is away, log it and return ``answer(*args, **kwargs)`` instead."""

    def decorator(operation):
        @functools.wraps(operation)
        def tolerant(self, *args, **kwargs):
            try:
                return operation(self, *args, **kwargs)
            except OUTAGE as error:
                logger.warning("cache %s failed (%s); carrying on without it", operation.__name__, type(error).__name__)
                return answer(*args, **kwargs)

        return tolerant

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _no(*args, **kwargs):
    return False


def _none_found(keys, *args, **kwargs):
    return {}


def _none_stored(data, *args, **kwargs):
    return list(data)


class OutageTolerantRedisCache(RedisCache):
    get = _on_outage(_default)(RedisCache.get)
    get_many = _on_outage(_none_found)(RedisCache.get_many)
    has_key = _on_outage(_no)(RedisCache.has_key)
    add = _on_outage(_no)(RedisCache.add)
    set = _on_outage(_nothing)(RedisCache.set)
    set_many = _on_outage(_none_stored)(RedisCache.set_many)
    touch = _on_outage(_no)(RedisCache.touch)
    delete = _on_outage(_no)(RedisCache.delete)
    delete_many = _on_outage(_nothing)(RedisCache.delete_many)
    clear = _on_outage(_no)(RedisCache.clear)
