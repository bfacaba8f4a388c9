/**
 * Jest, everyday suite (`npm test`): test/everyday/, constructs, validation, in-process synthesis
 * and checks. `npm run test:slow` runs test/slow/, `npm run test:cluster` test/cluster/; `.ci/run`
 * runs all three. TypeScript goes through ts-jest in transpile-only mode (type-checking is `tsc`
 * in the scripts), snapshots live in the top-level `__snapshots__/`.
 */
module.exports = require('./jest.common').suite('everyday');
