/**
 * The service as a process of its own, from the TypeScript sources compiled in memory by SWC with
 * the settings jest.config.js uses (a second or two to start, where ts-node takes many), for suites
 * that kill it outright. Environment as for `node dist/main.js`.
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};

require(join(__dirname, '..', '..', 'src', 'main.ts'));
