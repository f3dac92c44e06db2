module.exports = { displayName: 'benchmark-items', preset: '../../jest.preset.js', rootDir: '.' };
