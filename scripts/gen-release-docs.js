#!/usr/bin/env node
// Rewrites the release tables of README.md and docs/platforms.md from the release record
// (scripts/release-docs.ts): part of `npm run docs`.
'use strict';
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const fs = require('fs');
const path = require('path');
const { renderReleaseDocs } = require('./release-docs');

const root = path.join(__dirname, '..');
const docs = renderReleaseDocs((file) => fs.readFileSync(path.join(root, file), 'utf8'));
for (const [file, text] of Object.entries(docs)) {
  fs.writeFileSync(path.join(root, file), text);
  console.log(`wrote the release tables of ${file}`);
}
