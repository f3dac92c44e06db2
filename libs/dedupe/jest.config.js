module.exports = { displayName: 'dedupe', preset: '../../jest.preset.js', rootDir: '.' };
