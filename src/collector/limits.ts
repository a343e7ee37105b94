/**
 * Spans API budget, apart from the client module so that the CLI can show it in --help without loading the API
 * client (1.5–2 s).
 */

/** 300 requests/hour at one run every 15 minutes. */
export const DEFAULT_MAX_REQUESTS = 75;
