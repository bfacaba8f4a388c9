// Preloaded into benchmarked node processes (NODE_OPTIONS=--require) when GNU time is missing:
// writes the peak RSS (KiB) to the file named by KFA_BENCH_RSS_FILE when the process exits.
'use strict';
const file = process.env.KFA_BENCH_RSS_FILE;
if (file) process.on('exit', () => require('fs').writeFileSync(file, String(process.resourceUsage().maxRSS)));
