/**
 * Issue #21, point 2: a 2xx answer that says in so many words that nothing went wrong ("Error: none", "error=0",
 * `{"error":null}`, …) is an acceptance for every vendor. Every adapter of the registry (and the generic postback)
 * reads the same table of answers; the no-error reading is one function (lambdas/vendors/no-error.ts) that every
 * answer reader asks. The answers that do report an error stay errors, so the reading cannot swallow a rejection.
 */
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { isNoError } from '../../../lambdas/vendors/no-error';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { DeliveryOutcome, VendorAdapter, VendorRequest, VendorResponse } from '../../../lambdas/vendors/types';

const adapters: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters), ['postback', postback]];
const request: VendorRequest = { key: 'k', method: 'GET', url: 'https://vendor.example/track', headers: {} };

const text = (body: string): VendorResponse => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
const untyped = (body: string): VendorResponse => ({ status: 200, headers: {}, body });
const json = (body: string): VendorResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body });
const html = (body: string): VendorResponse => ({ status: 200, headers: { 'content-type': 'text/html' }, body });

/** 2xx answers that report no error: every vendor reads them as `sent`. */
const NO_ERROR_ANSWERS: Array<[string, VendorResponse]> = [
  ['Error: none', text('Error: none')],
  ['error=0', text('error=0')],
  ['ERROR: 0', text('ERROR: 0')],
  ['Errors: 0', untyped('Errors: 0')],
  ['error: false', text('error: false')],
  ['Error: null', text('Error: null')],
  ['error=none&status=ok', text('error=none&status=ok')],
  ['Error: None.', text('Error: None.')],
  ['ERROR: 0 – transaction saved', text('ERROR: 0 – transaction saved')],
  ['Error: no errors', text('Error: no errors')],
  ['Fehler: keine', text('Fehler: keine')],
  ['errors=[]', text('errors=[]')],
  ['{"error":null}', json('{"error":null}')],
  ['{"errors":[]}', json('{"errors":[]}')],
  ['{"error":false}', json('{"error":false}')],
  ['{"error":0}', json('{"error":0}')],
  ['{"error":"0"}', json('{"error":"0"}')],
  ['{"error":"none"}', json('{"error":"none"}')],
  ['{"error":""}', json('{"error":""}')],
  ['{"errors":{}}', json('{"errors":{}}')],
  ['{"errorMessage":"None"}', json('{"errorMessage":"None"}')],
  ['{"success":true,"error":null,"errors":[]}', json('{"success":true,"error":null,"errors":[]}')],
  ['{"error":{"code":0,"message":""}}', json('{"error":{"code":0,"message":""}}')],
  ['[{"error":null},{"errors":[]}]', json('[{"error":null},{"errors":[]}]')],
  ['{"error":null} without a content type', untyped('{"error":null}')],
  ['<title>No error</title>', html('<html><head><title>No error</title></head><body>OK</body></html>')],
];

/** 2xx answers that do report an error. */
const ERROR_ANSWERS: Array<[string, VendorResponse]> = [
  ['Error: unknown id', text('Error: unknown id')],
  ['ERROR: 1', text('ERROR: 1')],
  ['error=2', text('error=2')],
  ['Error: no such campaign', text('Error: no such campaign')],
  ['Error', text('Error')],
  ['Invalid clickId', text('Invalid clickId')],
  ['{"error":"invalid key"}', json('{"error":"invalid key"}')],
  ['{"error":true}', json('{"error":true}')],
  ['{"error":1}', json('{"error":1}')],
  ['{"errors":[{"message":"bad"}]}', json('{"errors":[{"message":"bad"}]}')],
  ['{"errors":["none","bad id"]}', json('{"errors":["none","bad id"]}')],
  ['{"success":false}', json('{"success":false}')],
  ['{"status":"error","error":null}', json('{"status":"error","error":null}')],
];

/**
 * What a vendor makes of a 2xx error answer: Kelkoo's document describes no answer and its adapter reads the status
 * alone; QUALITYCLICK retries (a resend is harmless with its dedup on tid); the others fail for good.
 */
const ON_ERROR: Record<string, DeliveryOutcome['kind']> = { kelkoo: 'sent', qualityclick: 'retry' };

describe.each(adapters)('%s reading a 2xx answer', (id, adapter) => {
  it.each(NO_ERROR_ANSWERS)('takes %s as sent', (_, response) => {
    expect(adapter.classify(response, request)).toMatchObject({ kind: 'sent', vendorStatus: 200 });
  });

  it.each(ERROR_ANSWERS)('takes %s as the error it reports', (_, response) => {
    expect(adapter.classify(response, request).kind).toBe(ON_ERROR[id] ?? 'failed');
  });
});

describe('isNoError', () => {
  it.each<[unknown]>([[null], [undefined], [false], [0], [''], ['0'], ['none'], ['NULL'], ['nil'], ['false'], ['no'], ['OK'], ['kein'], ['keine'], ['nein'], ['none.'], [' 0 '], ['no errors'], ['keine Fehler'], [[]], [{}], [[null, 'none']], [{ code: 0, message: '' }]])(
    'reads %j as no error',
    (value) => {
      expect(isNoError(value)).toBe(true);
    },
  );

  it.each<[unknown]>([[true], [1], [-1], ['1'], ['invalid key'], ['no such id'], ['kein Zugriff'], ['0x1F'], ['nonexistent'], [['bad']], [{ code: 401 }], [{ message: 'bad' }]])(
    'reads %j as an error',
    (value) => {
      expect(isNoError(value)).toBe(false);
    },
  );
});
