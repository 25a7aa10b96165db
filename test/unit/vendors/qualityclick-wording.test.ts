import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { qualityclickConfigSchema } from '../../../lambdas/vendors/qualityclick/config';
import { reportedError } from '../../../lambdas/vendors/qualityclick/mapping';
import type { VendorResponse } from '../../../lambdas/vendors/types';
import { configIssues } from '../../support/config-issues';

const valid = { endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' };
const messages = configIssues(qualityclickConfigSchema, valid);
const text = (body: string, headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' }) =>
  reportedError({ status: 200, headers, body } as VendorResponse);

describe('QUALITYCLICK adapter identity', () => {
  it('is registered under its id, shown by the document\'s spelling, and names its document', () => {
    expect(qualityclick.id).toBe('qualityclick');
    expect(qualityclick.displayName).toBe('QUALITYCLICK');
    // shared/vendor-docs/INDEX.md: 002_db79e9f63b966dbc.txt is the QUALITYCLICK ClickID / get_trans.cgi document.
    expect(qualityclick.documentation).toBe('vendor-docs/002_db79e9f63b966dbc.txt');
  });

  it('names its one call "transaction", the same on every build', () => {
    const config = qualityclickConfigSchema().parse(valid);
    const order = { orderId: 'O-1', currency: 'EUR', orderValue: 1, netValue: 1, occurredAt: '2026-11-21T10:00:00.000Z', items: [] };
    const build = () => qualityclick.buildRequests({ order, config, context: { clickId: 'QC1' } } as never);
    expect(build().map((r) => r.key)).toEqual(['transaction']);
    expect(build()).toEqual(build());
  });
});

describe('QUALITYCLICK endpoint scheme', () => {
  it.each(['http://p.example/get_trans.cgi', 'https://p.example/get_trans.cgi'])('accepts %s', (endpoint) => {
    expect(messages({ endpoint })).toEqual([]);
  });

  // The scheme must be exactly http or https: not one that merely starts or ends like it.
  it.each(['xhttps://p.example/get_trans.cgi', 'httpsx://p.example/get_trans.cgi', 'http+unix://p.example/get_trans.cgi', 'ftp://p.example/get_trans.cgi'])(
    'rejects %s, saying why',
    (endpoint) => {
      expect(messages({ endpoint })).toEqual(['endpoint: must be an http(s) URL']);
    },
  );

  it('rejects an empty product, asking for its name', () => {
    expect(messages({ product: '' })).toEqual(['product: must name the commission product, e.g. "Sale"']);
  });
});

describe('QUALITYCLICK error wording in any case', () => {
  // The script's answer is free text: upper, lower and title case all report the same thing.
  it.each([
    'Invalid tid',
    'INVALID TID',
    'invalid tid',
    'Forbidden',
    'Fehlgeschlagen',
    'Ungültig: cpid',
    'Status: FAILED',
    'Ergebnis: fehlgeschlagen',
    'OK. Result = Error',
  ])('reads %p as an error report', (body) => {
    expect(text(body)).toBe(body);
  });

  it.each([
    'Sorry, an error occurred.',
    'An error has occurred.',
    'Es ist ein Fehler aufgetreten.',
    'Leider ist ein Fehler aufgetreten.',
    'Transaction not saved',
    'Transaction has not been saved',
    'Transaction rejected',
    'Transaction was rejected',
    'Transaktion wurde abgelehnt',
    'Transaktion verworfen',
  ])('reads the sentence %p as an error report', (body) => {
    expect(text(body)).toBe(body);
    expect(qualityclick.classify({ status: 200, headers: {}, body }, { key: 'transaction', method: 'GET', url: valid.endpoint, headers: {} })).toEqual({
      kind: 'retry',
      vendorStatus: 200,
      error: `HTTP 200 reporting an error: ${body}`,
    });
  });

  it.each(['Status: OK', 'Result = saved', 'Transaction saved', 'Transaktion gespeichert', 'Fehlerfrei gespeichert'])('reads %p as no error report', (body) => {
    expect(text(body)).toBeUndefined();
  });
});
