from rest_framework.pagination import PageNumberPagination as BasePageNumberPagination


class PageNumberPagination(BasePageNumberPagination):
    """`{count, next, previous, results}` with `?page=` and `?page_size=` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200
