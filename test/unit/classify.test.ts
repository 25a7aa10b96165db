import fc from 'fast-check';
import {
  buildUrl,
  classifyByStatus,
  classifyByStatusAndBody,
  excerpt,
  isRetryableStatus,
  reportedError,
  retryAfterSeconds,
} from '../../lambdas/vendors/classify';
import type { VendorResponse } from '../../lambdas/vendors/types';

const response = (status: number, body = '', headers: Record<string, string> = {}): VendorResponse => ({ status, headers, body });

describe('isRetryableStatus', () => {
  it.each([408, 425, 429, 500, 502, 503, 504, 599])('retries %i (timeout, too early, throttled, server fault)', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 204, 301, 400, 401, 403, 404, 407, 409, 410, 422, 424, 426, 428, 499])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  const now = new Date('2026-11-21T10:00:00Z');

  it('is undefined without the header', () => {
    expect(retryAfterSeconds({}, now)).toBeUndefined();
  });

  it('reads delta-seconds, surrounding whitespace allowed', () => {
    expect(retryAfterSeconds({ 'retry-after': '120' }, now)).toBe(120);
    expect(retryAfterSeconds({ 'retry-after': ' 7 ' }, now)).toBe(7);
    expect(retryAfterSeconds({ 'retry-after': '0' }, now)).toBe(0);
  });

  it('reads an HTTP date as the seconds from now until then, rounded up', () => {
    expect(retryAfterSeconds({ 'retry-after': 'Sat, 21 Nov 2026 10:01:30 GMT' }, now)).toBe(90);
    expect(retryAfterSeconds({ 'retry-after': 'Sat, 21 Nov 2026 10:00:00 GMT' }, new Date('2026-11-21T09:59:58.500Z'))).toBe(2);
  });

  it('reads an HTTP date already past as "now", never as a negative delay', () => {
    expect(retryAfterSeconds({ 'retry-after': 'Sat, 21 Nov 2026 09:00:00 GMT' }, now)).toBe(0);
  });

  it('measures an HTTP date from the current time by default', () => {
    const inAnHour = new Date(Date.now() + 3600_000).toUTCString();
    const seconds = retryAfterSeconds({ 'retry-after': inAnHour });
    expect(seconds).toBeGreaterThan(3500);
    expect(seconds).toBeLessThanOrEqual(3600);
  });

  it.each(['soon', '7 seconds', '5x', 'x5', ''])('ignores the unreadable value %p', (value) => {
    expect(retryAfterSeconds({ 'retry-after': value }, now)).toBeUndefined();
  });

  it('never reads a value with a sign or a fraction as delta-seconds', () => {
    // Not delta-seconds (RFC 9110: 1*DIGIT); whatever the lenient date parser makes of them, never -5 or 1.5.
    for (const value of ['-5', '1.5', '+3']) {
      const seconds = retryAfterSeconds({ 'retry-after': value }, now);
      expect(seconds === undefined || seconds === 0).toBe(true);
    }
  });
});

describe('excerpt', () => {
  it('flattens whitespace to single spaces and trims', () => {
    expect(excerpt('  Error:\n\tunknown   id \r\n')).toBe('Error: unknown id');
  });

  it('keeps a body of exactly the maximum, and cuts a longer one with an ellipsis', () => {
    expect(excerpt('a'.repeat(200))).toBe('a'.repeat(200));
    expect(excerpt('a'.repeat(201))).toBe(`${'a'.repeat(200)}…`);
    expect(excerpt('abcdef', 3)).toBe('abc…');
    expect(excerpt('abc', 3)).toBe('abc');
  });
});

describe('classifyByStatus', () => {
  it('takes every 2xx as sent, and nothing outside 200–299', () => {
    expect(classifyByStatus(response(200))).toEqual({ kind: 'sent', vendorStatus: 200 });
    expect(classifyByStatus(response(299))).toEqual({ kind: 'sent', vendorStatus: 299 });
    expect(classifyByStatus(response(199)).kind).toBe('failed');
    expect(classifyByStatus(response(300)).kind).toBe('failed');
  });

  it('retries 408 and 425 like 429 and 5xx, and fails other 4xx for good', () => {
    expect(classifyByStatus(response(408))).toEqual({ kind: 'retry', vendorStatus: 408, error: 'HTTP 408' });
    expect(classifyByStatus(response(425))).toEqual({ kind: 'retry', vendorStatus: 425, error: 'HTTP 425' });
    expect(classifyByStatus(response(400))).toEqual({ kind: 'failed', vendorStatus: 400, error: 'HTTP 400' });
  });

  it('pairs the status with an excerpt of the error body', () => {
    expect(classifyByStatus(response(503, 'Error: maintenance\n  back at 11:00'))).toEqual({
      kind: 'retry',
      vendorStatus: 503,
      error: 'HTTP 503: Error: maintenance back at 11:00',
    });
    expect(classifyByStatus(response(404, '<html><title>Not Found</title></html>'))).toEqual({
      kind: 'failed',
      vendorStatus: 404,
      error: 'HTTP 404: <html><title>Not Found</title></html>',
    });
  });

  it('an error body never turns a retryable status into a failure, nor a permanent one into a retry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 599 }), fc.string(), (status, body) => {
        expect(classifyByStatus(response(status, body)).kind).toBe(isRetryableStatus(status) ? 'retry' : 'failed');
        expect(classifyByStatusAndBody(response(status, body), 'Vendor').kind).toBe(isRetryableStatus(status) ? 'retry' : 'failed');
      }),
    );
  });

  it('passes Retry-After on for 429 and 503, in either form', () => {
    expect(classifyByStatus(response(429, '', { 'retry-after': '7' }))).toMatchObject({ kind: 'retry', retryAfterSeconds: 7 });
    expect(classifyByStatus(response(503, 'Error: overloaded', { 'retry-after': '30' }))).toEqual({
      kind: 'retry',
      vendorStatus: 503,
      error: 'HTTP 503: Error: overloaded',
      retryAfterSeconds: 30,
    });
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const outcome = classifyByStatus(response(503, '', { 'retry-after': inTwoMinutes }));
    expect(outcome.kind).toBe('retry');
    expect(outcome.kind === 'retry' && outcome.retryAfterSeconds).toBeGreaterThan(100);
    expect(outcome.kind === 'retry' && outcome.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it('ignores Retry-After on other statuses, and leaves the field out when there is none', () => {
    expect(classifyByStatus(response(500, '', { 'retry-after': '7' }))).toEqual({ kind: 'retry', vendorStatus: 500, error: 'HTTP 500' });
    expect(classifyByStatus(response(408, '', { 'retry-after': '7' }))).not.toHaveProperty('retryAfterSeconds');
    expect(classifyByStatus(response(429))).not.toHaveProperty('retryAfterSeconds');
    expect(classifyByStatus(response(503, '', { 'retry-after': 'soon' }))).not.toHaveProperty('retryAfterSeconds');
  });
});

describe('buildUrl', () => {
  it('encodes names and values, spaces as %20, and leaves undefined values out', () => {
    expect(buildUrl('https://v.example/st', [['a b', 'x&y=z'], ['skip', undefined], ['n', 0], ['f', false], ['t', true]])).toBe(
      'https://v.example/st?a%20b=x%26y%3Dz&n=0&f=false&t=true',
    );
  });

  it('appends to a query the base already has, and returns the base alone when nothing is left', () => {
    expect(buildUrl('https://v.example/st?x=1', [['a', '2']])).toBe('https://v.example/st?x=1&a=2');
    expect(buildUrl('https://v.example/st', [['a', undefined]])).toBe('https://v.example/st');
    expect(buildUrl('https://v.example/st', [])).toBe('https://v.example/st');
  });

  it('keeps an empty string value as an empty parameter', () => {
    expect(buildUrl('https://v.example/st', [['a', '']])).toBe('https://v.example/st?a=');
  });
});

describe('reportedError (a 2xx body that reports an error)', () => {
  const ok = (body: string, headers: Record<string, string> = {}) => reportedError(response(200, body, headers));

  it.each([
    '',
    '   ',
    'OK',
    'GIF89a',
    '{"status":"ok"}',
    '{"success":true,"error":""}',
    '{"errors":[]}',
    '{"error":{}}',
    '{"error":null,"errorMessage":"  "}',
    '{"error":false}',
    '{"ok":true}',
    '{"status":"errored"}',
    '{"status":"noerror"}',
    '{"result":"fine"}',
    '{"status":42}',
    '[]',
    '[1,2]',
    '[[{"success":false}]]',
    'null',
    '<html><title>Thanks</title><body>error-free</body></html>',
    '<p>error</p>',
    'Thanks, no error',
    'errand completed',
    '{not json but fine',
  ])('accepts %p', (body) => {
    expect(ok(body)).toBeUndefined();
  });

  it.each([
    '{"success":false}',
    '{"ok":false}',
    '{"error":"unknown key"}',
    '{"error":true}',
    '{"errors":["bad"]}',
    '{"error":{"code":1}}',
    '{"errorMessage":"bad"}',
    '{"status":"error"}',
    '{"status":" Errors "}',
    '{"status":"FAILED"}',
    '{"status":"fail"}',
    '{"status":"failure"}',
    '{"result":"KO"}',
    '{"result":"invalid"}',
    '[{"status":"ok"},{"success":false}]',
    '{"error":null,"errors":["x"]}',
    '{"error":0,"errorMessage":"bad"}',
  ])('reports the JSON %p', (body) => {
    expect(ok(body)).toBe(body);
  });

  it('reads a JSON answer after leading whitespace, and a JSON primitive as no error report', () => {
    expect(ok(' \n{"error":"x"}', { 'content-type': 'application/json; charset=utf-8' })).toBe('{"error":"x"}');
    expect(ok('"error"', { 'content-type': 'application/json' })).toBeUndefined();
  });

  it('judges a body that is not JSON after all as text', () => {
    expect(ok('[error] unknown id')).toBeUndefined();
    expect(ok('ERROR unknown id', { 'content-type': 'application/json' })).toBe('ERROR unknown id');
  });

  it.each([
    ['ERROR: unknown id'],
    ['err unknown'],
    ['Exception in thread'],
    ['fail'],
    ['Failed to record'],
    ['failure'],
    ['Invalid clickId'],
    ['KO'],
    ['ko: refused'],
    ['Not found'],
    ['Bad Request'],
  ])('reports the plain text %p', (body) => {
    expect(ok(body)).toBe(body);
  });

  it('reports an HTML page by its title, trimmed', () => {
    expect(ok('<html><head><title> 404 Not Found </title></head></html>')).toBe('404 Not Found');
    expect(ok('<html><title lang="en">Error</title></html>')).toBe('Error');
    expect(ok('<html><title>Forbidden</title></html>')).toBe('Forbidden');
    expect(ok('<html><title>invalid request</title></html>')).toBe('invalid request');
    expect(ok('<html><TITLE>Bad Request</TITLE></html>')).toBe('Bad Request');
    expect(ok('<html><title>Errors</title></html>')).toBeUndefined();
  });

  it('never reads an image or a binary answer as an error report', () => {
    expect(ok('ERROR', { 'content-type': 'image/gif' })).toBeUndefined();
    expect(ok('{"error":"x"}', { 'content-type': 'application/octet-stream' })).toBeUndefined();
    expect(ok('ERROR', { 'content-type': 'IMAGE/PNG' })).toBeUndefined();
  });
});

describe('classifyByStatusAndBody', () => {
  it('fails a 2xx that reports an error, naming the vendor and status', () => {
    expect(classifyByStatusAndBody(response(200, 'ERROR: unknown id\n'), 'Raptor')).toEqual({
      kind: 'failed',
      vendorStatus: 200,
      error: 'Raptor answered HTTP 200 reporting an error: ERROR: unknown id',
    });
  });

  it('retries it instead when the vendor asks so', () => {
    expect(classifyByStatusAndBody(response(202, 'KO'), 'X', 'retry')).toEqual({ kind: 'retry', vendorStatus: 202, error: 'X answered HTTP 202 reporting an error: KO' });
  });

  it('keeps a 2xx that reports nothing as sent', () => {
    expect(classifyByStatusAndBody(response(204), 'X')).toEqual({ kind: 'sent', vendorStatus: 204 });
  });

  it('judges the body of a 2xx only: an error body on any other status keeps the status outcome and its wording', () => {
    // A body that reads as an error report in every form reportedError knows.
    for (const body of ['ERROR: overloaded', '{"success": false}', '<html><title>Error</title></html>']) {
      expect(classifyByStatusAndBody(response(503, body, { 'retry-after': '30' }), 'X')).toEqual({
        kind: 'retry',
        vendorStatus: 503,
        error: `HTTP 503: ${body}`,
        retryAfterSeconds: 30,
      });
      expect(classifyByStatusAndBody(response(500, body), 'X', 'failed')).toEqual({ kind: 'retry', vendorStatus: 500, error: `HTTP 500: ${body}` });
      expect(classifyByStatusAndBody(response(404, body), 'X', 'retry')).toEqual({ kind: 'failed', vendorStatus: 404, error: `HTTP 404: ${body}` });
      // A redirect's error names its Location (there is none here) rather than quoting the body: vendor calls never follow one.
      expect(classifyByStatusAndBody(response(302, body), 'X', 'retry')).toEqual({ kind: 'failed', vendorStatus: 302, error: expect.stringMatching(/^HTTP 302: a redirect with no Location/) });
    }
  });
});
