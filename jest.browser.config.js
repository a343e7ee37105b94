/**
 * `npm run test:browser`: the generated site of the bundled example opened in headless Chromium (Debian's
 * `chromium` package, driven by playwright-core; no browser is downloaded). Apart from `npm test` because it needs
 * the browser; `.ci/run` installs it. Without /usr/bin/chromium (or $CHROMIUM) the tests say so and skip.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/browser'],
  testMatch: ['**/*.browser-test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  maxWorkers: 1,
  testTimeout: 120000,
};
