/** Visitor keys and record expiries for the data-layer tests, all judged at one fixed instant. */
import { epochSeconds } from '../../lambdas/core/time';
import type { VisitorKey } from '../../lambdas/core/visitor';

/** The instant the data-layer tests read and write at. */
export const now = new Date('2026-11-21T10:00:00Z');
/** Epoch seconds `days` after `now`: a record's TTL. */
export const inDays = (days: number) => epochSeconds(now) + days * 86_400;
export const session = (value: string): VisitorKey => ({ kind: 'sessionId', value });
export const user = (value: string): VisitorKey => ({ kind: 'userId', value });
