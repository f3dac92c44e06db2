// Runs the tests of every project in one Jest process (tools/test.sh). Named so that the Nx
// Jest plugin does not infer a root `test` target from it; `npx nx test <project>` runs one.
const { getJestProjectsAsync } = require('@nx/jest');

// testTimeout is a global option: Jest ignores it inside project configs when running several.
module.exports = async () => ({ projects: await getJestProjectsAsync(), testTimeout: 120000 });
