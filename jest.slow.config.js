/** Jest, slow suite (`npm run test:slow`): the suites jest.common.js lists as SLOW. */
const { SLOW, common } = require('./jest.common');

module.exports = {
  ...common,
  testMatch: SLOW.map((s) => `**/test/${s}.test.ts`),
};
