import { changedFields, flatten, lineDiff, notifyHandles } from '../../src/ci/fields';
import { code, escapeMd, focusPairs } from '../../src/ci/markdown';

describe('changedFields', () => {
  it('unwraps one-element blocks and keys SLO thresholds by timeframe', () => {
    const before = {
      monitor_thresholds: [{ critical: '0.05', warning: '' }],
      thresholds: [
        { timeframe: '7d', target: 99 },
        { timeframe: '30d', target: 99 },
      ],
    };
    const after = {
      monitor_thresholds: [{ critical: '0.01', warning: '0.005' }],
      thresholds: [
        { timeframe: '30d', target: 99.9 },
        { timeframe: '7d', target: 99 },
      ],
    };
    expect(changedFields({ before, after })).toStrictEqual([
      { field: 'monitor_thresholds.critical', before: '0.05', after: '0.01' },
      { field: 'monitor_thresholds.warning', before: '', after: '0.005' },
      { field: 'thresholds[30d].target', before: '99', after: '99.9' },
    ]);
  });

  it('compares lists of strings as sets', () => {
    expect(changedFields({ before: { tags: ['b', 'a'] }, after: { tags: ['a', 'b'] } })).toStrictEqual([]);
    expect(changedFields({ before: { tags: ['a', 'b'] }, after: { tags: ['a', 'c'] } })).toStrictEqual([
      { field: 'tags', before: '[a, b]', after: '[a, c]', removed: ['b'], added: ['c'] },
    ]);
  });

  it('never shows a sensitive value', () => {
    const fields = changedFields({
      before: { token: 'old-secret', name: 'x' },
      after: { token: 'new-secret', name: 'y' },
      beforeSensitive: { token: true },
      afterSensitive: { token: true },
    });
    expect(fields).toStrictEqual([{ field: 'name', before: 'x', after: 'y' }]);
    const added = changedFields({ before: {}, after: { token: 'new-secret' }, afterSensitive: { token: true } });
    expect(added).toStrictEqual([{ field: 'token', before: null, after: '(sensitive)' }]);
    expect(JSON.stringify(added)).not.toContain('secret');
  });

  it('treats an empty string like an absent value', () => {
    expect(changedFields({ before: { a: '' }, after: {} })).toStrictEqual([]);
  });

  it('flattens unknown subtrees where the value is absent', () => {
    expect([...flatten({ a: 1 }, { b: { c: true } }).entries()]).toStrictEqual([
      ['a', { kind: 'scalar', text: '1' }],
      ['b.c', { kind: 'unknown' }],
    ]);
  });
});

describe('notifyHandles', () => {
  it('finds handles and ignores span-search terms and e-mail-like text in links', () => {
    const message = [
      'Orphans up. @slack-checkout @pagerduty-checkout-oncall, @jane.doe@example.com.',
      'Explorer: https://app.datadoghq.com/apm/traces?query=service:x -@usr.id:* and @http.status_code:500',
      'mail: ops@example.com',
    ].join('\n');
    expect(notifyHandles(message)).toStrictEqual([
      '@jane.doe@example.com',
      '@pagerduty-checkout-oncall',
      '@slack-checkout',
    ]);
  });
});

describe('lineDiff', () => {
  it('lists removed lines before added ones, in order, ignoring the common parts', () => {
    expect(lineDiff('a\nb\nc\nd', 'a\nB\nc\nd\ne')).toStrictEqual(['- b', '+ B', '+ e']);
    expect(lineDiff('same', 'same')).toStrictEqual([]);
  });
});

describe('focusPairs', () => {
  it('drops the long common start of a replaced line, so that the cut keeps the change', () => {
    const head = 'x'.repeat(100);
    expect(focusPairs([`- ${head} 1% end`, `+ ${head} 0.8% end`, '+ added'])).toStrictEqual([
      `- …${'x'.repeat(59)} 1% end`,
      `+ …${'x'.repeat(59)} 0.8% end`,
      '+ added',
    ]);
    expect(focusPairs(['- short a', '+ short b'])).toStrictEqual(['- short a', '+ short b']);
  });
});

describe('markdown escaping', () => {
  it('escapes names and fences code that contains backticks', () => {
    expect(escapeMd('[trace-health] a_b *c* <x>')).toBe('\\[trace-health\\] a\\_b \\*c\\* \\<x\\>');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x')).toBe('`` `x ``');
    expect(code('line1\nline2')).toBe('`line1 ⏎ line2`');
  });
});
