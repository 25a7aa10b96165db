import { raptor } from '../../../lambdas/vendors/raptor/adapter';
import { raptorConfigSchema } from '../../../lambdas/vendors/raptor/config';
import { configIssues } from '../../support/config-issues';

const valid = { customerId: '1234', purchaseParams: { p1: 'buy' } };
const messages = configIssues(raptorConfigSchema, valid);
const COID = '0c9f5e3a-6d2b-4f7e-9a41-3b8e2d7c5f10';
const SID = '7e4b1d92-2a6f-4c3e-b8d5-91f0a6e2c347';

describe('Raptor adapter identity', () => {
  it('is registered under its id, shown by its product name, and names its document', () => {
    expect(raptor.id).toBe('raptor');
    expect(raptor.displayName).toBe('Raptor Smart Advisor');
    // shared/vendor-docs/INDEX.md: 004_cd37a96655eecff6.txt is Raptor's server-side tracking document.
    expect(raptor.documentation).toBe('vendor-docs/004_cd37a96655eecff6.txt');
  });
});

describe('Raptor configuration messages', () => {
  it.each(['http://t.example', 'https://t.example', 'http://t.example/raptor'])('accepts the endpoint %s', (endpoint) => {
    expect(messages({ endpoint })).toEqual([]);
  });

  // The scheme must be exactly http or https: not one that merely starts or ends like it.
  it.each(['xhttps://t.example', 'httpsx://t.example', 'http+unix://t.example', 'ftp://t.example'])('rejects the endpoint %s, saying why', (endpoint) => {
    expect(messages({ endpoint })).toEqual(['endpoint: must be an http(s) URL']);
  });

  it.each(['https://t.example/?x=1', 'https://t.example/#top', 'https://t.example?'])('rejects the endpoint %s, which would end up in the path', (endpoint) => {
    expect(messages({ endpoint })).toEqual(['endpoint: must not contain a query string or fragment']);
  });

  it('asks for at least one parameter once, when none is given', () => {
    expect(messages({ purchaseParams: {} })).toEqual(['purchaseParams: at least one parameter is required (p1, the event type, e.g. "buy")']);
  });

  it('asks for p1 when only other parameters are given', () => {
    expect(messages({ purchaseParams: { p2: '{item.productId}' } })).toEqual(['purchaseParams: p1 (the event type, e.g. "buy") is required']);
  });

  // p1 … p999 exactly: a name that only ends like one is not a Raptor parameter.
  it.each(['xp1', 'ap12', 'pp2', 'coidp3', 'p1x', 'p1000', 'p0'])('rejects the parameter name %s', (name) => {
    expect(messages({ purchaseParams: { p1: 'buy', [name]: 'x' } })).toEqual([`purchaseParams.${name}: parameter name must be one of p1 … p999`]);
  });

  it.each(['12/34', '12 34', '', 'ä'])('rejects the customerId %j, saying why', (customerId) => {
    expect(messages({ customerId })).toEqual(['customerId: must be letters, digits, "-" or "_" (it is a URL path segment)']);
  });
});

describe('Raptor sandbox: the parameters the document names', () => {
  const base = `/1234.rsa?p1=itemclick&p2=12345&coid=${COID}&sid=${SID}`;
  const inspect = (url: string) => raptor.inspect({ method: 'GET', url, headers: {}, body: '' });

  it('accepts am, the recommendation module of the document\'s item-click example', () => {
    expect(inspect(`${base}&am=GetSimilarItems`)).toEqual([]);
  });

  it.each(['xp1', 'ap2', 'am2', 'p1000'])('flags %s, which the document does not name', (name) => {
    expect(inspect(`${base}&${name}=1`)).toEqual([`parameter ${name} is not in the document`]);
  });
});
