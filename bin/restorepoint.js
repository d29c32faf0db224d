#!/usr/bin/env node
// In a checkout the CLI is TypeScript run through tsx's require hook (no build step, always the
// current source). An installed package has no tsx (it is a development dependency) and runs the
// built JavaScript in dist/ (`npm run build`).
let tsx = null;
try {
  tsx = require.resolve('tsx/cjs');
} catch {
  // production install: fall through to dist
}
if (tsx) {
  require(tsx);
  require('../client/cli/main.ts');
} else {
  require('../dist/client/cli/main.js');
}
