/**
 * `npm run test:sharded`: the sharded deployment (docs/serve.md) with real OpenTelemetry Collector processes in
 * front of `collect --serve` shards, on loopback. Slow (a cold build of the collector takes minutes; then about a
 * minute a test), so apart from `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/sharded'],
  testMatch: ['**/*.sharded-test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  maxWorkers: 1,
  testTimeout: 60 * 60 * 1000,
};
