module.exports = { displayName: 'langid', preset: '../../jest.preset.js', rootDir: '.' };
