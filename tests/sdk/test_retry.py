from __future__ import annotations

import datetime as dt

import pytest

from onyx_database._retry import RetryPolicy, parse_retry_after


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_retries=10, backoff_seconds=0.5, max_backoff_seconds=3.0)
    assert [policy.delay(n, jitter=1.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_scales_into_the_upper_half() -> None:
    policy = RetryPolicy(backoff_seconds=1.0)
    assert policy.delay(1, jitter=0.0) == 1.0
    assert policy.delay(1, jitter=0.5) == 1.5
    assert policy.delay(1, jitter=1.0) == 2.0
    assert policy.delay(1, jitter=7.0) == 2.0  # out-of-range random numbers are clamped


def test_retry_after_replaces_backoff_and_is_capped() -> None:
    policy = RetryPolicy(backoff_seconds=1.0, max_retry_after_seconds=30.0)
    assert policy.delay(3, retry_after=0.2, jitter=1.0) == 0.2
    assert policy.delay(0, retry_after=3600.0, jitter=1.0) == 30.0
    assert policy.delay(0, retry_after=-5.0, jitter=1.0) == 0.0


def test_which_requests_and_statuses_are_retried() -> None:
    policy = RetryPolicy(max_retries=2)
    for status in (429, 502, 503, 504):
        assert policy.should_retry_status(status, idempotent=True, retries_done=0)
        assert not policy.should_retry_status(status, idempotent=False, retries_done=0)
    for status in (400, 401, 404, 409, 500, 501):
        assert not policy.should_retry_status(status, idempotent=True, retries_done=0)
    assert policy.should_retry_error(idempotent=True, retries_done=1)
    assert not policy.should_retry_error(idempotent=True, retries_done=2)
    assert not policy.should_retry_error(idempotent=False, retries_done=0)


def test_zero_retries_means_none() -> None:
    policy = RetryPolicy(max_retries=0)
    assert not policy.should_retry_error(idempotent=True, retries_done=0)
    assert not policy.should_retry_status(503, idempotent=True, retries_done=0)
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


def test_parse_retry_after_forms() -> None:
    now = dt.datetime(2015, 10, 21, 7, 28, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0.25 ") == 0.25
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=now) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0
    assert parse_retry_after("-4") == 0.0
    for junk in (None, "", "soon", "nan"):
        assert parse_retry_after(junk) is None
