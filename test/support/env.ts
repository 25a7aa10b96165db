// Handler logs would drown the test report; tests that check logs use a recording logger with its own level.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
