/** Jest, cluster suite (`npm run test:cluster`): test/cluster/, against a real API server (test/support/cluster.ts). */
module.exports = require('./jest.common').suite('cluster');
