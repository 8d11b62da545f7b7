"""What the API answers to OPTIONS."""

from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    """DRF's OPTIONS answer without its `actions` section.

    SimpleMetadata describes PUT/POST bodies from `view.get_serializer()` after a
    `view.get_object()` probe. Our views take input through their own `*Input`
    serializers and load rows through tenant-scoped access functions, so that probe
    crashed (500 on `OPTIONS /api/users/<id>`) and the described fields were the output
    serializer's. The OpenAPI schema at /api/schema/ is where request bodies are
    described.
    """

    def determine_metadata(self, request, view) -> dict:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
