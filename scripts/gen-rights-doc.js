#!/usr/bin/env node
// Writes docs/rights.md (see scripts/rights-doc.ts): part of `npm run docs`.
'use strict';
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const fs = require('fs');
const path = require('path');
const { renderRightsDoc } = require('./rights-doc');
const file = path.join(__dirname, '..', 'docs', 'rights.md');
fs.writeFileSync(file, renderRightsDoc());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
