module.exports = { displayName: 'document', preset: '../../jest.preset.js', rootDir: '.' };
