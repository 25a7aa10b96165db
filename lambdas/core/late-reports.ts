/**
 * Late reports: shops report orders after the fact (batch jobs, payment confirmation, retries after an outage), so
 * attribution is judged at the order's `occurredAt`, and what it needs is kept for a grace period beyond each window.
 * Kept apart from the configuration schema so that the API functions need not bundle it.
 */

/** Late reports are accepted this long after the order by default (SPEC §2, POST /v1/conversions). */
export const DEFAULT_LATE_REPORT_HOURS = 72;
/** 30 days: click ids are personal data, kept no longer than a late report can plausibly need them. */
export const MAX_LATE_REPORT_HOURS = 720;

/** The grace in seconds; a configuration without the key (a runtime config written before it existed) gets the default. */
export function lateReportSeconds(config: { lateReportHours?: number }): number {
  return (config.lateReportHours ?? DEFAULT_LATE_REPORT_HOURS) * 3600;
}
