// Shared Jest settings for every project. TypeScript is compiled by SWC (fast, no type
// check: `npm run typecheck` does that). ESM-only packages are transformed to CommonJS, and
// `@apollo/*` imports resolve to library sources, as tsconfig.base.json's paths do.
const path = require('node:path');
const { paths } = require('./tsconfig.base.json').compilerOptions;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(paths)) {
  moduleNameMapper[`^${alias}$`] = path.join(__dirname, target);
}
// eld's exports map only has `import`; point Jest at its sources directly.
moduleNameMapper['^eld/small$'] = path.join(__dirname, 'node_modules/eld/src/entries/static.small.js');
moduleNameMapper['^eld-src/(.*)$'] = path.join(__dirname, 'node_modules/eld/src/$1');

// Packages that ship only ES modules: Jest (CommonJS here) must transform them.
const ESM_ONLY = [
  'p-limit', 'yocto-queue', 'eld',
  'hyparquet', 'hyparquet-compressors', 'hysnappy', 'fzstd',
  'htmlparser2', 'domhandler', 'domelementtype', 'domutils', 'dom-serializer', 'entities',
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|test).ts'],
  testTimeout: 60000,
};
