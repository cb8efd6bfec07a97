"""Limit/offset pagination as NetBox does it: {count, next, previous, results}."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000
