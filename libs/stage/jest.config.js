module.exports = { displayName: 'stage', preset: '../../jest.preset.js', rootDir: '.' };
