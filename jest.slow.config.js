/** Jest, slow suite (`npm run test:slow`): test/slow/ (subprocesses, packing, external tools, regeneration). */
module.exports = require('./jest.common').suite('slow');
