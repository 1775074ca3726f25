"""Errors a connector raises. Each names the source and says what to do."""


class IngestionError(RuntimeError):
    """Base class: the run must fail and say why."""


class ConfigError(IngestionError, ValueError):
    """A setting is missing or wrong: the run refuses to start, with one line saying what to set."""


class SourceAuthError(IngestionError):
    """401/403: credentials are missing, wrong or expired. Retrying cannot help."""


class SourceHTTPError(IngestionError):
    """The source kept failing after every retry, or answered with an unexpected status."""


class SourceNotFoundError(SourceHTTPError):
    """404: the record asked for by id does not exist (e.g. a permanently deleted group)."""


class SourcePayloadError(IngestionError):
    """The source answered 200 with a body that is not the JSON the API promises."""


class PagingLoopError(IngestionError):
    """The source handed back a cursor it had already given: paging would never end."""


class SurveyMappingError(IngestionError):
    """A survey CSV mapping file is missing, malformed, or names a column the export lacks."""


class TotalLossError(IngestionError):
    """Every record a file or a stream's run gave was rejected: nothing of it loaded."""
