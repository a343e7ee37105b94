/**
 * `npm run test:terraform`: real terraform + the real Datadog provider against the fake Datadog API. Slow
 * (minutes), so apart from `npm test`. Files run one at a time: each plans its stacks two at a time.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/terraform'],
  testMatch: ['**/*.tf-test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  maxWorkers: 1,
  testTimeout: 60 * 60 * 1000,
};
