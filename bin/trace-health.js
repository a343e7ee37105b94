#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly through tsx (esbuild, cached): no build step between `npm ci` and use.
require('tsx/cjs');
const { main } = require('../src/cli/index.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Only reached on a bug: user errors are handled inside main().
    console.error(err && err.stack ? err.stack : String(err));
    process.exitCode = 70;
  },
);
