import { eventsRoutes, eventsStore, EventsStore } from './routes/events';
import { FakeDatadog } from './server';

describe('fake POST /api/v1/events', () => {
  let dd: FakeDatadog;
  let store: EventsStore;
  const nowSec = Math.floor(Date.now() / 1000);
  beforeEach(async () => {
    store = eventsStore();
    store.apiKey = 'k';
    dd = await FakeDatadog.start([eventsRoutes(store)]);
  });
  afterEach(() => dd.stop());

  const post = (body: unknown, key = 'k') =>
    fetch(`${dd.url}/api/v1/events`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'dd-api-key': key },
    });

  it('accepts a documented event with 202 and the created event', async () => {
    const res = await post({ title: 't', text: 'x', tags: ['a:b'], alert_type: 'info', date_happened: nowSec });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'ok', event: { id: 1001, title: 't', tags: ['a:b'] } });
    expect(store.events).toEqual([{ title: 't', text: 'x', tags: ['a:b'], alert_type: 'info', date_happened: nowSec }]);
  });

  it.each([
    [{ text: 'x' }, "Missing required field 'title'"],
    [{ title: 't' }, "Missing required field 'text'"],
    [{ title: 't', text: 'x'.repeat(4001) }, 'text is longer than 4000 characters'],
    [
      { title: 't', text: 'x', aggregation_key: 'k'.repeat(101) },
      'aggregation_key must be a string of at most 100 characters',
    ],
    [{ title: 't', text: 'x', alert_type: 'deploy' }, 'Invalid alert_type "deploy"'],
    [{ title: 't', text: 'x', priority: 'high' }, 'Invalid priority "high"'],
    [{ title: 't', text: 'x', tags: 'a:b' }, 'tags must be a list of strings'],
    [{ title: 't', text: 'x', date_happened: '1700000000' }, 'date_happened must be an integer (POSIX seconds)'],
    [{ title: 't', text: 'x', date_happened: nowSec - 19 * 3600 }, 'date_happened is older than 18 hours'],
  ])('refuses %j with 400: %s', async (body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [message] });
    expect(store.events).toEqual([]);
  });

  it('refuses a wrong API key with 403', async () => {
    const res = await post({ title: 't', text: 'x' }, 'wrong');
    expect(res.status).toBe(403);
    expect(store.events).toEqual([]);
  });
});
