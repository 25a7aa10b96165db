/**
 * The URL limit at its edge: a URL of exactly MAX_URL_BYTES bytes is sent, one byte more is not; bytes, not characters.
 */
import type { VendorRequest } from '../../../lambdas/vendors/types';
import { MAX_URL_BYTES, oversizedRequest, urlBytes } from '../../../lambdas/vendors/url-limit';

const PREFIX = 'https://n.example/pb?x=';
const request = (bytes: number, char = 'a'): VendorRequest => {
  const pad = bytes - PREFIX.length;
  const chars = Math.floor(pad / Buffer.byteLength(char));
  return { key: `r${bytes}`, method: 'GET', url: PREFIX + char.repeat(chars) + 'a'.repeat(pad - chars * Buffer.byteLength(char)), headers: {} };
};

describe('oversizedRequest', () => {
  it.each([
    [MAX_URL_BYTES - 1, undefined],
    [MAX_URL_BYTES, undefined],
    [MAX_URL_BYTES + 1, MAX_URL_BYTES + 1],
  ])('a URL of %i bytes is over the limit: %p', (bytes, expected) => {
    const r = request(bytes);
    expect(urlBytes(r.url)).toBe(bytes);
    expect(oversizedRequest([r])?.bytes).toBe(expected);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const r = request(MAX_URL_BYTES + 1, 'é');
    expect(r.url.length).toBeLessThan(MAX_URL_BYTES);
    expect(oversizedRequest([r])).toEqual({ request: r, bytes: MAX_URL_BYTES + 1 });
  });

  it('names the first request over the limit, after any that fit', () => {
    const fits = request(MAX_URL_BYTES);
    const first = request(MAX_URL_BYTES + 2);
    const second = request(MAX_URL_BYTES + 3);
    expect(oversizedRequest([fits, first, second])).toEqual({ request: first, bytes: MAX_URL_BYTES + 2 });
    expect(oversizedRequest([])).toBeUndefined();
  });
});
