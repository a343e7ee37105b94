import { FakeDatadog } from './server';

describe('FakeDatadog', () => {
  let dd: FakeDatadog;
  beforeEach(async () => {
    dd = await FakeDatadog.start([
      (app) =>
        app.post('/api/v2/echo', async (req) => ({ got: (req as unknown as { parsedBody: unknown }).parsedBody })),
    ]);
  });
  afterEach(() => dd.stop());

  it('listens on loopback and records requests with their JSON body', async () => {
    expect(dd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${dd.url}/api/v2/echo?x=1`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { a: 1 } });
    expect(dd.requestsTo('POST', '/api/v2/echo')).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/v2/echo', query: { x: '1' }, body: { a: 1 }, status: 200 }),
    ]);
  });

  it('answers the key validation endpoint', async () => {
    const res = await fetch(`${dd.url}/api/v1/validate`);
    expect(await res.json()).toEqual({ valid: true });
  });

  it('injects a 429 with the reset hint, then answers normally', async () => {
    dd.inject({ path: '/api/v1/validate', status: 429, headers: { 'x-ratelimit-reset': '1' } });
    const first = await fetch(`${dd.url}/api/v1/validate`);
    expect(first.status).toBe(429);
    expect(first.headers.get('x-ratelimit-reset')).toBe('1');
    const second = await fetch(`${dd.url}/api/v1/validate`);
    expect(second.status).toBe(200);
    expect(dd.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('truncates a body on request', async () => {
    dd.inject({ path: '/api/v1/validate', truncate: true });
    const res = await fetch(`${dd.url}/api/v1/validate`);
    await expect(res.json()).rejects.toThrow();
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(FakeDatadog.start([], { host: '10.0.0.1' })).rejects.toThrow(/only listens on loopback/);
  });
});
