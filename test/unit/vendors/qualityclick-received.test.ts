/**
 * Issue #21, points 3 and 4: QUALITYCLICK answers that mean the sale is recorded although they do not read as a plain
 * success. The document: "QUALITYCLICK automatically detects duplicates based on the TransactionID (tid) and only
 * creates the transaction once", and "the transaction is correctly created in QUALITYCLICK even if the call times out
 * — the data is processed immediately upon receipt".
 * - A duplicate notice ("bereits vorhanden", "duplicate", "already exists", even with "nicht gespeichert" or
 *   "not saved") is `sent`, with a note saying so.
 * - A read timeout after the request was sent is `sent`, with a note; a failure before the request was sent (refused,
 *   connect timeout) and a reset after it are retried. Only QUALITYCLICK decides so: every other adapter retries.
 */
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { TransportFailure, VendorAdapter, VendorRequest } from '../../../lambdas/vendors/types';

const request: VendorRequest = { key: 'transaction', method: 'GET', url: 'https://partner.shop.example/get_trans.cgi?cpid=1&tid=T1', headers: {} };
const answer = (body: string, status = 200, contentType = 'text/plain; charset=utf-8') => qualityclick.classify({ status, headers: { 'content-type': contentType }, body }, request);

describe('QUALITYCLICK duplicate notice', () => {
  it.each([
    'Transaktion bereits vorhanden',
    'Fehler: Transaktion bereits vorhanden - nicht gespeichert',
    'TID bereits vorhanden, Transaktion nicht gespeichert',
    'Transaktion existiert bereits',
    'Duplikat: tid ORD-2026-001',
    'ERROR: duplicate tid',
    'Duplicate transaction - not saved',
    'Transaction already exists',
    'error: transaction already exists, not saved',
    'Transaction has already been recorded',
  ])('takes %p as sent, noting the duplicate', (body) => {
    const outcome = answer(body);
    expect(outcome).toMatchObject({ kind: 'sent', vendorStatus: 200 });
    expect(outcome.kind === 'sent' && outcome.note).toMatch(/^QUALITYCLICK already holds this transaction \(duplicate tid\): /);
    expect(outcome.kind === 'sent' && outcome.note).toContain(body);
  });

  it('reads the notice in an HTML page too', () => {
    expect(answer('<html><body><p>Fehler: Transaktion bereits vorhanden</p></body></html>', 200, 'text/html')).toMatchObject({
      kind: 'sent',
      note: 'QUALITYCLICK already holds this transaction (duplicate tid): Fehler: Transaktion bereits vorhanden',
    });
  });

  it('takes a 409 Conflict saying so as sent as well', () => {
    expect(answer('duplicate tid', 409)).toMatchObject({ kind: 'sent', vendorStatus: 409 });
  });

  it.each(['Kein Duplikat gefunden, Transaktion nicht gespeichert', 'no duplicate found; transaction not saved', 'Transaktion nicht gespeichert'])(
    'does not read the negation %p as a duplicate',
    (body) => {
      expect(answer(body).kind).toBe('retry');
    },
  );

  it('leaves other statuses to the shared rules, whatever the body says', () => {
    expect(answer('duplicate tid', 503).kind).toBe('retry');
    expect(answer('duplicate tid', 400).kind).toBe('failed');
  });

  it('adds no note to a plain acceptance', () => {
    expect(answer('OK')).toEqual({ kind: 'sent', vendorStatus: 200 });
  });
});

const failure = (phase: TransportFailure['phase'], timedOut: boolean): TransportFailure => ({
  phase,
  timedOut,
  message: timedOut ? 'Transport error: no answer within 5000 ms after the request was sent' : 'Transport error: ECONNRESET: socket hang up',
});

describe('QUALITYCLICK without an answer', () => {
  it('takes a read timeout after the request was sent as sent, keeping the timeout in the note', () => {
    const outcome = qualityclick.classifyTransportError!(failure('sent', true), request);
    expect(outcome.kind).toBe('sent');
    expect(outcome).not.toHaveProperty('vendorStatus');
    expect(outcome.kind === 'sent' && outcome.note).toBe(
      'no answer in time, but the request was sent: QUALITYCLICK creates the transaction on receipt (Transport error: no answer within 5000 ms after the request was sent)',
    );
  });

  it('retries when the request was not sent in full (refused, no connection in time)', () => {
    expect(qualityclick.classifyTransportError!(failure('connect', true), request)).toEqual({ kind: 'retry', error: failure('connect', true).message });
    expect(qualityclick.classifyTransportError!(failure('connect', false), request).kind).toBe('retry');
  });

  it('retries a connection dropped after sending: only a timeout says the request arrived', () => {
    expect(qualityclick.classifyTransportError!(failure('sent', false), request)).toEqual({ kind: 'retry', error: failure('sent', false).message });
  });
});

describe('every other vendor without an answer', () => {
  const others: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters).filter(([id]) => id !== 'qualityclick'), ['postback', postback]];

  it.each(others)('%s leaves a transport error to the sender, which retries it', (_, adapter) => {
    expect(adapter.classifyTransportError).toBeUndefined();
  });
});
