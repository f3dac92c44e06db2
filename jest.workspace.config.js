// Runs the tests of every project in one Jest process (tools/test.sh). Named so that the Nx
// Jest plugin does not infer a root `test` target from it; `npx nx test <project>` runs one.
const { getJestProjectsAsync } = require('@nx/jest');

module.exports = async () => ({ projects: await getJestProjectsAsync() });
