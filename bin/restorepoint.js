#!/usr/bin/env node
// The CLI is TypeScript run through tsx's require hook, so `npx restorepoint` needs no build step.
require('tsx/cjs');
require('../client/cli/main.ts');
