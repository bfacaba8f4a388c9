/** Jest, cluster suite (`npm run test:cluster`): test/cluster-*.test.ts, against a real API server (test/cluster.ts). */
const { common } = require('./jest.common');

module.exports = {
  ...common,
  testMatch: ['**/test/cluster-*.test.ts'],
};
