module.exports = { displayName: 'pipeline-config', preset: '../../jest.preset.js', rootDir: '.' };
