/** Jest, slow suite (`npm run test:slow`): the suites jest.config.js lists as SLOW. */
const { SLOW, common } = require('./jest.config');

module.exports = {
  ...common,
  testMatch: SLOW.map((s) => `**/test/${s}.test.ts`),
};
